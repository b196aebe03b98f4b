package diff

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// CompareOptions configure Compare.
type CompareOptions struct {
	A, B        string // server addresses
	Scenarios   fs.FS  // nil: the embedded scenarios
	Dir         string // directory within Scenarios ("scenarios" for the embedded set)
	Filter      string // only scenarios whose name contains it
	RandomSeed  int64  // with RandomSteps > 0: also run a random scenario
	RandomSteps int
	RandomOnly  bool
	StepTimeout time.Duration
	Out         io.Writer
}

// Compare plays the scenarios against two servers and writes a report to
// o.Out. It returns the number of scenarios whose transcripts differ (not
// counting those marked @allow-differ).
func Compare(ctx context.Context, o CompareOptions) (int, error) {
	if o.Out == nil {
		o.Out = os.Stdout
	}
	var scs []*Scenario
	if !o.RandomOnly {
		fsys, dir := o.Scenarios, o.Dir
		if fsys == nil {
			fsys, dir = Scenarios, "scenarios"
		}
		var err error
		if scs, err = LoadScenarios(fsys, dir); err != nil {
			return 0, err
		}
	}
	if o.RandomSteps > 0 {
		scs = append(scs, GenerateRandom(o.RandomSeed, o.RandomSteps))
	}
	if o.Filter != "" {
		keep := scs[:0]
		for _, sc := range scs {
			if strings.Contains(sc.Name, o.Filter) {
				keep = append(keep, sc)
			}
		}
		scs = keep
	}
	cfg := Config{StepTimeout: o.StepTimeout}
	ra, err := NewRunner(ctx, o.A, cfg)
	if err != nil {
		return 0, err
	}
	defer ra.Close()
	rb, err := NewRunner(ctx, o.B, cfg)
	if err != nil {
		return 0, err
	}
	defer rb.Close()
	pair := &Pair{A: ra, B: rb}
	failed, known := 0, 0
	for _, sc := range scs {
		res, err := pair.Run(ctx, sc)
		if err != nil {
			return failed, err
		}
		switch {
		case res.Mismatch == nil:
			fmt.Fprintf(o.Out, "ok    %s\n", sc.Name)
		case sc.AllowDiffer != "":
			known++
			fmt.Fprintf(o.Out, "known %s (%s)\n%s\n", sc.Name, sc.AllowDiffer, res.Mismatch)
		default:
			failed++
			fmt.Fprintf(o.Out, "FAIL  %s\n%s\n", sc.Name, res.Mismatch)
			if strings.HasPrefix(sc.Name, "random-") {
				fmt.Fprintf(o.Out, "random scenario (seed %d):\n%s\n", o.RandomSeed, sc.Source)
			}
		}
	}
	fmt.Fprintf(o.Out, "%d scenarios, %d differ, %d known differences\n", len(scs), failed, known)
	return failed, nil
}

// CompareCommand is "raftzk compare": play the differential scenarios
// against two running servers and report every difference.
func CompareCommand() *cli.Command {
	return &cli.Command{
		Name:  "compare",
		Usage: "play differential scenarios against two ZooKeeper servers and compare their answers",
		Description: "Runs every scenario (embedded by default) against server A and server B at the same\n" +
			"time, normalises zxids, session ids and times, and prints the first difference of each\n" +
			"scenario that differs. Both servers need extended types enabled and the super digest\n" +
			"super:secret for the full set. Exit status 1 if any scenario differs.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "a", Usage: "first server `HOST:PORT` (the reference, e.g. Apache ZooKeeper)", Required: true},
			&cli.StringFlag{Name: "b", Usage: "second server `HOST:PORT`", Required: true},
			&cli.StringFlag{Name: "scenarios", Usage: "read *.zks scenarios from `DIR` instead of the embedded set"},
			&cli.StringFlag{Name: "run", Usage: "only scenarios whose name contains `TEXT`"},
			&cli.Int64Flag{Name: "random-seed", Usage: "seed of the random scenario", Value: 1},
			&cli.IntFlag{Name: "random-steps", Usage: "also run a random scenario of `N` steps (0: none)"},
			&cli.BoolFlag{Name: "random-only", Usage: "run only the random scenario"},
			&cli.DurationFlag{Name: "step-timeout", Usage: "bound on every wait", Value: 15 * time.Second},
		},
		Action: func(c *cli.Context) error {
			o := CompareOptions{
				A: c.String("a"), B: c.String("b"), Filter: c.String("run"),
				RandomSeed: c.Int64("random-seed"), RandomSteps: c.Int("random-steps"),
				RandomOnly: c.Bool("random-only"), StepTimeout: c.Duration("step-timeout"),
				Out: c.App.Writer,
			}
			if d := c.String("scenarios"); d != "" {
				o.Scenarios, o.Dir = os.DirFS(d), "."
			}
			n, err := Compare(c.Context, o)
			if err != nil {
				return cli.Exit(err.Error(), 2)
			}
			if n > 0 {
				return cli.Exit(fmt.Sprintf("%d scenarios differ", n), 1)
			}
			return nil
		},
	}
}
