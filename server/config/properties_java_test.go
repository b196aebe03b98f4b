package config

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"
)

// propDumpJava loads each file named on the command line with
// java.util.Properties.load(InputStream) and prints, per file, either
// "ERR" or the sorted entries as UTF-16 code units in hex.
const propDumpJava = `
import java.io.*;
import java.util.*;

public class PropDump {
    static String hex(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append(String.format("%04x", (int) c));
        return b.toString();
    }
    public static void main(String[] args) throws Exception {
        for (String name : args) {
            Properties p = new Properties();
            try (InputStream in = new FileInputStream(name)) {
                p.load(in);
            } catch (IllegalArgumentException e) {
                System.out.println("ERR");
                continue;
            }
            List<String> lines = new ArrayList<>();
            for (String k : p.stringPropertyNames()) lines.add(hex(k) + "=" + hex(p.getProperty(k)));
            Collections.sort(lines);
            System.out.println(String.join(" ", lines));
        }
    }
}
`

func hexUTF16(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04x", u)
	}
	return b.String()
}

func goPropDump(in string) string {
	es, err := ReadProperties(strings.NewReader(in))
	if err != nil {
		return "ERR"
	}
	var lines []string
	for k, v := range entriesMap(es) {
		lines = append(lines, hexUTF16(k)+"="+hexUTF16(v))
	}
	sort.Strings(lines)
	return strings.Join(lines, " ")
}

// randomProperties builds ASCII inputs dense in the characters the
// properties grammar cares about. \u escapes stay below the surrogate range
// (Java keeps lone surrogates, Go cannot).
func randomProperties(r *rand.Rand) string {
	atoms := []string{"a", "b", "k", "1", " ", "\t", "\f", "=", ":", "#", "!", "\\", "\\\\",
		"\n", "\r", "\r\n", "\\\n", "\\\r\n", `\u0041`, `\u00e9`, `\t`, `\n`, "x", "."}
	var b strings.Builder
	n := r.Intn(24)
	for i := 0; i < n; i++ {
		b.WriteString(atoms[r.Intn(len(atoms))])
	}
	return b.String()
}

// TestReadProperties_MatchesJava compares ReadProperties with the JVM's
// java.util.Properties on the corner cases and on random inputs. It needs
// `java` (11+, for single-file source launch) and is skipped without it.
func TestReadProperties_MatchesJava(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a JVM")
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not installed")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "PropDump.java")
	if err := os.WriteFile(src, []byte(propDumpJava), 0o644); err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, tc := range propertyCases {
		if strings.ContainsFunc(tc.in, func(r rune) bool { return r > 0x7f }) {
			continue // Java decodes the file as ISO-8859-1; Go keeps UTF-8
		}
		inputs = append(inputs, tc.in)
	}
	r := rand.New(rand.NewSource(1))
	for range 400 {
		inputs = append(inputs, randomProperties(r))
	}
	args := []string{src}
	for i, in := range inputs {
		name := filepath.Join(dir, fmt.Sprintf("in%04d.properties", i))
		if err := os.WriteFile(name, []byte(in), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, name)
	}
	cmd := exec.Command(java, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("java failed (%v): %s", err, stderr.String())
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(got) != len(inputs) {
		t.Fatalf("java printed %d results for %d inputs", len(got), len(inputs))
	}
	for i, in := range inputs {
		if g := goPropDump(in); g != got[i] {
			t.Errorf("input %q:\n go   %s\n java %s", in, g, got[i])
		}
	}
}
