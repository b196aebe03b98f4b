package main

import (
	"bytes"
	"strings"
	"testing"
)

const sample = `{"Action":"start","Package":"m/a"}
{"Action":"run","Package":"m/a","Test":"TestX"}
{"Action":"run","Package":"m/a","Test":"TestX/a/b"}
{"Action":"output","Package":"m/a","Test":"TestX/a/b","Output":"=== RUN   TestX/a/b\n"}
{"Action":"pass","Package":"m/a","Test":"TestX/a/b"}
{"Action":"run","Package":"m/a","Test":"TestX/c"}
{"Action":"output","Package":"m/a","Test":"TestX/c","Output":"    cluster.go:9: time=... a relayed log line\n"}
{"Action":"output","Package":"m/a","Test":"TestX/c","Output":"    log_test.go:9: time=... a relayed log line\n"}
{"Action":"output","Package":"m/a","Test":"TestX/c","Output":"    x_test.go:1: boom\n"}
{"Action":"output","Package":"m/a","Test":"TestX/c","Output":"        its continuation\n"}
{"Action":"output","Package":"m/a","Test":"TestX/c","Output":"    cluster.go:9: time=... another log line\n"}
{"Action":"fail","Package":"m/a","Test":"TestX/c"}
{"Action":"fail","Package":"m/a","Test":"TestX"}
{"Action":"run","Package":"m/a","Test":"TestY"}
{"Action":"run","Package":"m/a","Test":"TestY/ok"}
{"Action":"pass","Package":"m/a","Test":"TestY/ok"}
{"Action":"output","Package":"m/a","Test":"TestY","Output":"    y_test.go:9: exit status 1\n"}
{"Action":"fail","Package":"m/a","Test":"TestY"}
{"Action":"run","Package":"m/a","Test":"TestZ"}
{"Action":"output","Package":"m/a","Test":"TestZ","Output":"    z_test.go:2: not installed\n"}
{"Action":"skip","Package":"m/a","Test":"TestZ"}
{"Action":"output","Package":"m/a","Output":"PASS\n"}
{"Action":"output","Package":"m/a","Output":"FAIL\tm/a\t0.1s\n"}
{"Action":"fail","Package":"m/a"}
not json
{"ImportPath":"m/b","Action":"build-output","Output":"b.go:1: syntax error\n"}
{"ImportPath":"m/b","Action":"build-fail"}
{"Action":"start","Package":"m/b"}
{"Action":"output","Package":"m/b","Output":"FAIL\tm/b [build failed]\n"}
{"Action":"fail","Package":"m/b","FailedBuild":"m/b"}
{"Action":"run","Package":"m/c","Test":"TestHang"}
{"Action":"output","Package":"m/c","Test":"TestHang","Output":"panic: test timed out\n"}
{"Action":"fail","Package":"m/c"}
`

func TestReport(t *testing.T) {
	var out bytes.Buffer
	r := &report{out: &out, pkgs: map[string]*pkgState{}, tests: map[string]*test{}, knownDifferences: map[string]int{}}
	if err := r.read(strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	r.finish()
	// Passed: TestX/a/b, TestY/ok. Failed: TestX/c, TestY (its own failure), the build of
	// m/b, TestHang. Skipped: TestZ.
	if c := r.counts(""); c != (counts{passed: 2, failed: 4, skipped: 1}) {
		t.Errorf("counts = %+v", c)
	}
	for _, want := range []string{"boom", "exit status 1", "not installed", "not json", "syntax error", "FAIL\tm/b [build failed]", "panic: test timed out"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	r.printFailures()
	sum := out.String()[strings.Index(out.String(), "== failed tests"):]
	for _, want := range []string{"--- m/a TestX/c\n    x_test.go:1: boom\n        its continuation\n--- ", "--- m/a TestY\n", "--- m/c TestHang\npanic: test timed out"} {
		if !strings.Contains(sum, want) {
			t.Errorf("failure summary lacks %q:\n%s", want, sum)
		}
	}
	if strings.Contains(sum, "relayed") || strings.Contains(sum, "another log line") {
		t.Errorf("failure summary repeats relayed log lines:\n%s", sum)
	}
	if strings.Contains(sum, "TestX\n") {
		t.Errorf("failure summary repeats a parent whose subtest failed:\n%s", sum)
	}
	if strings.Contains(out.String(), "=== RUN") || strings.Contains(out.String(), "PASS\n") {
		t.Errorf("output has passing noise:\n%s", out.String())
	}
}
