package diff

import (
	"fmt"
	"math/rand"
	"strings"
)

// GenerateRandom returns a scenario of n random steps from seed: three
// sessions doing creates (every plain mode), deletes and setData with
// random versions, reads with watches, multis and getChildren on a small set
// of paths under $R. Every step is played in order against each server, so
// both see the same sequence; the scenario text is printed on a mismatch so
// it can be saved as a regular scenario file.
func GenerateRandom(seed int64, n int) *Scenario {
	rng := rand.New(rand.NewSource(seed))
	paths := []string{"$R/a", "$R/b", "$R/a/x", "$R/a/y", "$R/b/x", "$R/c"}
	sessions := []string{"s1", "s2", "s3"}
	modes := []string{"persistent", "persistent", "ephemeral", "pseq", "eseq"}
	var b strings.Builder
	fmt.Fprintf(&b, "# random scenario, seed %d, %d steps\n@unordered-events\n", seed, n)
	for _, s := range sessions {
		fmt.Fprintf(&b, "connect %s\n", s)
	}
	pick := func(v []string) string { return v[rng.Intn(len(v))] }
	version := func() string {
		if rng.Intn(3) == 0 {
			return fmt.Sprint(rng.Intn(3))
		}
		return "-1"
	}
	subOp := func() string {
		switch rng.Intn(4) {
		case 0:
			return fmt.Sprintf("create %s \"m%d\" %s", pick(paths), rng.Intn(100), pick(modes[:2]))
		case 1:
			return fmt.Sprintf("delete %s %s", pick(paths), version())
		case 2:
			return fmt.Sprintf("setData %s \"m%d\" %s", pick(paths), rng.Intn(100), version())
		default:
			return fmt.Sprintf("check %s %s", pick(paths), version())
		}
	}
	for i := 0; i < n; i++ {
		s, p := pick(sessions), pick(paths)
		switch r := rng.Intn(100); {
		case r < 22:
			fmt.Fprintf(&b, "%s create %s \"d%d\" %s\n", s, p, i, pick(modes))
		case r < 32:
			fmt.Fprintf(&b, "%s delete %s %s\n", s, p, version())
		case r < 46:
			fmt.Fprintf(&b, "%s setData %s \"v%d\" %s\n", s, p, i, version())
		case r < 58:
			fmt.Fprintf(&b, "%s getData %s watch\n", s, p)
		case r < 66:
			fmt.Fprintf(&b, "%s exists %s watch\n", s, p)
		case r < 76:
			fmt.Fprintf(&b, "%s getChildren2 %s watch\n", s, pick([]string{"$R", "$R/a", "$R/b"}))
		case r < 84:
			fmt.Fprintf(&b, "%s multi\n", s)
			for k := rng.Intn(4); k >= 0; k-- {
				fmt.Fprintf(&b, "  %s\n", subOp())
			}
			b.WriteString("end\n")
		case r < 88:
			fmt.Fprintf(&b, "%s setACL %s %s\n", s, p, pick([]string{"open", "world:anyone:rwcd", "read"}))
		case r < 92:
			fmt.Fprintf(&b, "%s getAllChildrenNumber %s\n", s, pick([]string{"$R", "$R/a"}))
		case r < 95:
			fmt.Fprintf(&b, "%s getEphemerals $R\n", s)
		default:
			fmt.Fprintf(&b, "%s sync %s\n", s, p)
		}
	}
	src := b.String()
	sc, err := ParseScenario(fmt.Sprintf("random-%d", seed), src)
	if err != nil {
		panic(fmt.Sprintf("diff: generated scenario does not parse: %v\n%s", err, src))
	}
	return sc
}
