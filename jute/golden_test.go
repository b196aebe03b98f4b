package jute_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"hash/adler32"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/raftzk/raftzk/jute"
)

// Golden data captured by scripts/capture-golden.sh from Apache ZooKeeper
// 3.8.0: wire frames (*.hex, tested frame by frame in package protocol and
// used here as fuzz seeds) and the server's txn log (txnlog-*.bin), whose
// records are the Raft log entries of DESIGN.md decision 2.
const goldenDir = "testdata/golden"

// goldenPayloads returns the payload (without the length word) of every
// captured frame, with its file name.
func goldenPayloads(tb testing.TB) map[string][]byte {
	tb.Helper()
	names, _ := filepath.Glob(filepath.Join(goldenDir, "*.hex"))
	if len(names) == 0 {
		tb.Fatal("no golden frames")
	}
	out := map[string][]byte{}
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		var hx strings.Builder
		sc := bufio.NewScanner(bytes.NewReader(raw))
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); !strings.HasPrefix(l, "#") {
				hx.WriteString(l)
			}
		}
		b, err := hex.DecodeString(hx.String())
		if err != nil || len(b) < 4 {
			tb.Fatalf("%s: %v", n, err)
		}
		out[filepath.Base(n)] = b[4:]
	}
	return out
}

// txnRecord returns the body record of a txn of the given type (TxnHeader.type,
// a ZooDefs.OpCode), as SerializeUtils.deserializeTxn reads it.
func txnRecord(typ int32) jute.Record {
	switch typ {
	case -10: // createSession
		return &jute.CreateSessionTxn{}
	case -11: // closeSession
		return &jute.CloseSessionTxn{}
	case 1, 15: // create, create2
		return &jute.CreateTxn{}
	case 19: // createContainer
		return &jute.CreateContainerTxn{}
	case 21: // createTTL
		return &jute.CreateTTLTxn{}
	case 2, 20: // delete, deleteContainer
		return &jute.DeleteTxn{}
	case 5, 16: // setData, reconfig
		return &jute.SetDataTxn{}
	case 7: // setACL
		return &jute.SetACLTxn{}
	case 13: // check
		return &jute.CheckVersionTxn{}
	case 14: // multi
		return &jute.MultiTxn{}
	case -1: // error
		return &jute.ErrorTxn{}
	}
	return nil
}

// goldenTxn is one entry of a captured txn log.
type goldenTxn struct {
	raw    []byte // the txn bytes: header, body, optional digest
	hdr    jute.TxnHeader
	body   jute.Record // nil for a closeSession without a body
	digest *jute.TxnDigest
	subs   []jute.Record // the decoded sub-txns of a multi
}

// readTxnLog splits a txn log into entries: FileHeader, then per entry a
// long Adler-32 checksum, a buffer holding the txn, and the byte 'B'.
func readTxnLog(t *testing.T, b []byte) (jute.FileHeader, []goldenTxn) {
	t.Helper()
	var fh jute.FileHeader
	d := jute.NewDecoder(b)
	fh.Decode(&d)
	var out []goldenTxn
	for d.Remaining() > 0 && d.Err() == nil {
		crc := d.Long()
		txn := d.BufferView()
		if eor := d.Byte(); eor != 'B' {
			t.Fatalf("entry %d: end-of-record byte %#x", len(out), eor)
		}
		if d.Err() != nil {
			t.Fatal(d.Err())
		}
		if uint64(crc) != uint64(adler32.Checksum(txn)) {
			t.Fatalf("entry %d: checksum", len(out))
		}
		out = append(out, goldenTxn{raw: txn})
	}
	if d.Err() != nil {
		t.Fatal(d.Err())
	}
	return fh, out
}

func TestGolden_TxnLog(t *testing.T) {
	logs, _ := filepath.Glob(filepath.Join(goldenDir, "txnlog-*.bin"))
	if len(logs) == 0 {
		t.Fatal("no golden txn log")
	}
	types := map[int32]int{}
	subTypes := map[int32]int{}
	var all []goldenTxn
	for _, name := range logs {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fh, txns := readTxnLog(t, b)
		if fh != (jute.FileHeader{Magic: 0x5A4B4C47, Version: 2, Dbid: 0}) {
			t.Errorf("file header %+v", fh)
		}
		if !bytes.Equal(jute.Marshal(&fh), b[:16]) {
			t.Error("file header re-encodes differently")
		}
		for i := range txns {
			x := &txns[i]
			// 3.8 writes closeSession with a CloseSessionTxn body; digests
			// follow the body when zookeeper.digest.enabled (default on).
			var ent txnEntry
			d := jute.NewDecoder(x.raw)
			ent.Decode(&d)
			if d.Err() != nil || d.Remaining() != 0 {
				t.Fatalf("txn %d (type %d): %v, %d bytes left", i, ent.Hdr.Type, d.Err(), d.Remaining())
			}
			x.hdr, x.body, x.digest = ent.Hdr, ent.Body, ent.Digest
			types[x.hdr.Type]++
			if e := jute.Marshal(&ent); !bytes.Equal(e, x.raw) {
				t.Errorf("txn %d (type %d) re-encodes differently:\n got %x\nwant %x", i, x.hdr.Type, e, x.raw)
			}
			if m, ok := x.body.(*jute.MultiTxn); ok {
				for j, sub := range m.Txns {
					rec := txnRecord(sub.Type)
					if rec == nil {
						t.Fatalf("txn %d sub %d: type %d", i, j, sub.Type)
					}
					if err := jute.Unmarshal(sub.Data, rec); err != nil {
						t.Fatalf("txn %d sub %d: %v", i, j, err)
					}
					if !bytes.Equal(jute.Marshal(rec), sub.Data) {
						t.Errorf("txn %d sub %d re-encodes differently", i, j)
					}
					subTypes[sub.Type]++
					x.subs = append(x.subs, rec)
				}
			}
			if x.hdr.Zxid <= 0 || x.hdr.Time <= 0 || (x.digest != nil && x.digest.Version != 2) {
				t.Errorf("txn %d: header %+v digest %+v", i, x.hdr, x.digest)
			}
			if i > 0 && x.hdr.Zxid != txns[i-1].hdr.Zxid+1 {
				t.Errorf("txn %d: zxid %d after %d", i, x.hdr.Zxid, txns[i-1].hdr.Zxid)
			}
		}
		all = append(all, txns...)
	}
	// Every kind of txn the scenario produces, failed writes included
	// (logged as ErrorTxn, each consuming a zxid).
	for _, typ := range []int32{-10, -11, 1, 15, 19, 21, 2, 5, 7, 14, -1} {
		if types[typ] == 0 {
			t.Errorf("no txn of type %d in the log (have %v)", typ, types)
		}
	}
	for _, typ := range []int32{1, 5, 13, 2, 19, 21, -1} {
		if subTypes[typ] == 0 {
			t.Errorf("no multi sub-txn of type %d (have %v)", typ, subTypes)
		}
	}

	open := []jute.ACL{{Perms: 31, ID: jute.Id{Scheme: "world", ID: "anyone"}}}
	find := func(typ int32, path string) goldenTxn {
		t.Helper()
		for _, x := range all {
			if x.hdr.Type != typ {
				continue
			}
			if p := reflect.ValueOf(x.body).Elem().FieldByName("Path"); p.IsValid() && p.String() == path {
				return x
			}
		}
		t.Fatalf("no txn %d for %s", typ, path)
		return goldenTxn{}
	}
	if x := find(1, "/golden-java"); !reflect.DeepEqual(x.body, &jute.CreateTxn{Path: "/golden-java", Data: []byte("java"),
		ACL: open, Ephemeral: false, ParentCVersion: x.body.(*jute.CreateTxn).ParentCVersion}) || x.hdr.Cxid != 1 {
		t.Errorf("create txn %+v %+v", x.hdr, x.body)
	}
	if x := find(1, "/golden-java/eph"); !x.body.(*jute.CreateTxn).Ephemeral {
		t.Errorf("ephemeral create txn %+v", x.body)
	}
	if x := find(21, "/golden-java/ttl"); !reflect.DeepEqual(x.body, &jute.CreateTTLTxn{Path: "/golden-java/ttl", Data: []byte("t"),
		ACL: open, ParentCVersion: x.body.(*jute.CreateTTLTxn).ParentCVersion, Ttl: 60000}) {
		t.Errorf("createTTL txn %+v", x.body)
	}
	if x := find(19, "/golden-java/container"); x.body.(*jute.CreateContainerTxn).Data[0] != 'c' {
		t.Errorf("createContainer txn %+v", x.body)
	}
	if x := find(1, "/golden-java/null"); x.body.(*jute.CreateTxn).Data != nil {
		t.Errorf("null data must stay null in the log: %+v", x.body)
	}
	if x := find(5, "/golden-java"); !reflect.DeepEqual(x.body, &jute.SetDataTxn{Path: "/golden-java", Data: []byte("java-2"), Version: 1}) {
		t.Errorf("setData txn %+v", x.body)
	}
	// A failed multi keeps the real txns before the failing op, then the
	// failing op's code and RuntimeInconsistency (-2) for the rest as
	// ErrorTxns (the client sees ErrorResult(0) for the prefix instead).
	var failed []string
	for _, x := range all {
		if m, ok := x.body.(*jute.MultiTxn); ok && len(m.Txns) == 3 && m.Txns[1].Type == -1 {
			for _, s := range x.subs {
				failed = append(failed, fmt.Sprintf("%T%+v", s, s))
			}
			break
		}
	}
	if want := []string{
		"*jute.CreateTxn&{Path:/golden-java/m3 Data:[109 51] ACL:[{Perms:31 ID:{Scheme:world ID:anyone}}] Ephemeral:false ParentCVersion:15}",
		"*jute.ErrorTxn&{Err:-110}", "*jute.ErrorTxn&{Err:-2}",
	}; !reflect.DeepEqual(failed, want) {
		t.Errorf("failed multi logged as %q", failed)
	}
	// A session's first txn is createSession with the requested timeout.
	if x := all[0]; x.hdr.Type != -10 || x.body.(*jute.CreateSessionTxn).TimeOut != 4000 || x.hdr.ClientID == 0 {
		t.Errorf("first txn %+v %+v", x.hdr, x.body)
	}
}
