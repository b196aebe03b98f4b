// Command raftzk is a ZooKeeper server on Raft. `raftzk serve` runs it from
// Apache ZooKeeper's zoo.cfg; with no config it runs a standalone server on
// port 2181 with its data in ./data.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/raftzk/raftzk/compat-tests/diff"
	"github.com/urfave/cli/v2"
)

func main() {
	app := &cli.App{
		Name:  "raftzk",
		Usage: "a ZooKeeper server on Raft",
		Commands: []*cli.Command{
			serveCommand(),
			diff.CompareCommand(),
			versionCommand(),
		},
	}
	if err := app.Run(rewriteDFlags(os.Args)); err != nil {
		fmt.Fprintln(os.Stderr, "raftzk:", err)
		os.Exit(1)
	}
}

// rewriteDFlags turns Java-style -Dkey=value words into --property key=value,
// so the system properties users pass to ZooKeeper work here unchanged.
func rewriteDFlags(args []string) []string {
	out := make([]string, 0, len(args))
	for _, a := range args {
		if strings.HasPrefix(a, "-D") && len(a) > 2 && strings.Contains(a, "=") {
			out = append(out, "--property", a[2:])
			continue
		}
		out = append(out, a)
	}
	return out
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version",
		Action: func(*cli.Context) error {
			fmt.Println("raftzk (ZooKeeper protocol 3.9)")
			return nil
		},
	}
}
