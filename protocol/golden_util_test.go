package protocol_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// goldenDir holds frames captured from a real Apache ZooKeeper 3.8.0 by
// scripts/capture-golden.sh: one file per frame, named
// <client>-<seq>-<dir>-<op>.hex, whose first line is "# key=value ..." metadata
// (client, conn, dir, op, xid, seq, and for replies reqseq, zxid, err) and the
// rest the whole frame, length word included, in hex.
const goldenDir = "../jute/testdata/golden"

type goldenFrame struct {
	name  string
	meta  map[string]string
	frame []byte // length word + payload
}

func (f *goldenFrame) body() []byte           { return f.frame[4:] }
func (f *goldenFrame) client() string         { return f.meta["client"] }
func (f *goldenFrame) dir() string            { return f.meta["dir"] }
func (f *goldenFrame) op() string             { return f.meta["op"] }
func (f *goldenFrame) conn() string           { return f.meta["client"] + "/" + f.meta["conn"] }
func (f *goldenFrame) metaInt(k string) int64 { n, _ := strconv.ParseInt(f.meta[k], 10, 64); return n }

// loadGolden reads every golden frame, sorted by client and sequence number.
func loadGolden(tb testing.TB) []*goldenFrame {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join(goldenDir, "*.hex"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("no golden frames in %s: %v", goldenDir, err)
	}
	var out []*goldenFrame
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		f := &goldenFrame{name: filepath.Base(n), meta: map[string]string{}}
		var hx strings.Builder
		sc := bufio.NewScanner(bytes.NewReader(raw))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if strings.HasPrefix(line, "#") {
				for _, kv := range strings.Fields(line[1:]) {
					if k, v, ok := strings.Cut(kv, "="); ok {
						f.meta[k] = v
					}
				}
				continue
			}
			hx.WriteString(line)
		}
		f.frame, err = hex.DecodeString(hx.String())
		if err != nil {
			tb.Fatalf("%s: %v", n, err)
		}
		if len(f.frame) < 4 || int(binary.BigEndian.Uint32(f.frame)) != len(f.frame)-4 {
			tb.Fatalf("%s: length word does not match the payload", n)
		}
		if f.metaInt("len") != int64(len(f.frame)-4) {
			tb.Fatalf("%s: len=%s in the header, %d bytes of payload", n, f.meta["len"], len(f.frame)-4)
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].client() != out[j].client() {
			return out[i].client() < out[j].client()
		}
		return out[i].metaInt("seq") < out[j].metaInt("seq")
	})
	return out
}

// goldenIndex finds frames by client and sequence number.
type goldenIndex map[string]*goldenFrame

func indexGolden(frames []*goldenFrame) goldenIndex {
	ix := goldenIndex{}
	for _, f := range frames {
		ix[f.client()+"/"+f.meta["seq"]] = f
	}
	return ix
}

// request returns the request frame a reply answers (nil for notifications,
// pings without a recorded request, and connect replies).
func (ix goldenIndex) request(reply *goldenFrame) *goldenFrame {
	if _, ok := reply.meta["reqseq"]; !ok {
		return nil
	}
	return ix[reply.client()+"/"+reply.meta["reqseq"]]
}
