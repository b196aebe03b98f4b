package main

import (
	"encoding/binary"
	"flag"
	"log"
	"os"
)

// runTrimLog copies a ZooKeeper txn log (log.<zxid>) up to its last entry.
// ZooKeeper preallocates log files in 64 MB steps of zeros; an entry whose
// length is 0 marks the end. Layout: FileHeader (16 bytes), then per entry a
// long checksum, a buffer holding the txn, and the end-of-record byte 'B'.
func runTrimLog(args []string) {
	fs := flag.NewFlagSet("trimlog", flag.ExitOnError)
	in := fs.String("in", "", "txn log file")
	out := fs.String("out", "", "output file")
	_ = fs.Parse(args)
	b, err := os.ReadFile(*in)
	must(err)
	off := 16
	for off+12 <= len(b) {
		n := int(int32(binary.BigEndian.Uint32(b[off+8:])))
		if n <= 0 || off+12+n+1 > len(b) {
			break
		}
		off += 12 + n + 1
	}
	must(os.WriteFile(*out, b[:off], 0o644))
	log.Printf("trimlog: kept %d of %d bytes", off, len(b))
}
