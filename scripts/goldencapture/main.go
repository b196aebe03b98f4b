// Command goldencapture records real ZooKeeper traffic as golden frames for
// the jute and protocol tests. It is run by scripts/capture-golden.sh, never
// in CI.
//
//	goldencapture proxy -upstream 127.0.0.1:PORT -out DIR -label NAME -portfile F
//	    a TCP proxy on 127.0.0.1 that forwards to a real ZooKeeper and writes
//	    every frame of every connection, per direction, to DIR/NAME-SEQ-DIR-OP.hex
//	goldencapture gozk -addr 127.0.0.1:PORT
//	    drives go-zookeeper/zk through a fixed scenario
//	goldencapture raw -addr 127.0.0.1:PORT
//	    sends hand-made frames real clients never send (expired resume,
//	    unknown opcode)
//	goldencapture trimlog -in LOG -out FILE
//	    copies a ZooKeeper txn log without its zero preallocation tail
package main

import (
	"fmt"
	"log"
	"os"
)

func main() {
	log.SetFlags(log.Lmicroseconds)
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, errUsage)
		os.Exit(2)
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "proxy":
		runProxy(args)
	case "gozk":
		runGozk(args)
	case "raw":
		runRaw(args)
	case "trimlog":
		runTrimLog(args)
	default:
		fmt.Fprintln(os.Stderr, errUsage)
		os.Exit(2)
	}
}
