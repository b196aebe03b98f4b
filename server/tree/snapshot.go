package tree

import (
	"bufio"
	"errors"
	"fmt"
	"hash"
	"hash/adler32"
	"io"
	"sort"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// The snapshot format is Apache ZooKeeper's (FileSnap, version 2): a
// FileHeader, the sessions, the ACL cache, the nodes in pre-order (the root as
// ""), the terminator "/", then an Adler-32 of everything before it and "/"
// again. So a raftzk snapshot is also a valid ZooKeeper snapshot.

// openACLID is the ACL cache id ZooKeeper reserves for OPEN_ACL_UNSAFE.
const openACLID = -1

// ErrBadSnapshot is returned for a snapshot that does not parse or whose
// checksum does not match.
var ErrBadSnapshot = errors.New("tree: bad snapshot")

type checksumWriter struct {
	w   *bufio.Writer
	sum hash.Hash32
	e   jute.Encoder
}

func (c *checksumWriter) flush() error {
	c.sum.Write(c.e.B)
	_, err := c.w.Write(c.e.B)
	c.e.B = c.e.B[:0]
	return err
}

// WriteSnapshot writes the tree in ZooKeeper's snapshot format.
func (t *Tree) WriteSnapshot(w io.Writer) error {
	cw := &checksumWriter{w: bufio.NewWriterSize(w, 64<<10), sum: adler32.New()}
	e := &cw.e
	hdr := jute.FileHeader{Magic: protocol.SnapshotMagic, Version: 2, Dbid: -1}
	hdr.Encode(e)

	ids := make([]int64, 0, len(t.sessions))
	for id := range t.sessions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	e.Int(int32(len(ids)))
	for _, id := range ids {
		e.Long(id)
		e.Int(t.sessions[id])
	}

	// Number the interned ACL lists deterministically.
	openKey := aclKey(OpenACL)
	keys := make([]string, 0, len(t.acls))
	for k := range t.acls {
		if k != openKey {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	aclIDs := make(map[string]int64, len(keys)+1)
	aclIDs[openKey] = openACLID
	e.Int(int32(len(keys)))
	for i, k := range keys {
		aclIDs[k] = int64(i + 1)
		e.Long(int64(i + 1))
		acl := t.acls[k]
		e.VectorLen(len(acl))
		for j := range acl {
			acl[j].Encode(e)
		}
	}
	if err := cw.flush(); err != nil {
		return err
	}

	var err error
	t.Walk(func(path string, n *Node) {
		if err != nil {
			return
		}
		if path == "/" {
			path = ""
		}
		e.String(path)
		e.Buffer(n.Data)
		e.Long(aclIDs[aclKey(n.ACL)])
		n.Stat.Encode(e)
		if len(e.B) > 32<<10 {
			err = cw.flush()
		}
	})
	if err != nil {
		return err
	}
	e.String("/")
	if err := cw.flush(); err != nil {
		return err
	}
	e.Long(int64(cw.sum.Sum32()))
	e.String("/")
	if _, err := cw.w.Write(e.B); err != nil {
		return err
	}
	return cw.w.Flush()
}

type checksumReader struct {
	r   *bufio.Reader
	sum hash.Hash32
	buf []byte
}

func (c *checksumReader) read(n int) ([]byte, error) {
	if cap(c.buf) < n {
		c.buf = make([]byte, n)
	}
	b := c.buf[:n]
	if _, err := io.ReadFull(c.r, b); err != nil {
		return nil, err
	}
	c.sum.Write(b)
	return b, nil
}

func (c *checksumReader) int() (int32, error) {
	b, err := c.read(4)
	if err != nil {
		return 0, err
	}
	d := jute.NewDecoder(b)
	return d.Int(), nil
}

func (c *checksumReader) long() (int64, error) {
	b, err := c.read(8)
	if err != nil {
		return 0, err
	}
	d := jute.NewDecoder(b)
	return d.Long(), nil
}

// blob reads a length-prefixed buffer; -1 gives nil.
func (c *checksumReader) blob(max int) ([]byte, error) {
	n, err := c.int()
	if err != nil {
		return nil, err
	}
	if n == -1 {
		return nil, nil
	}
	if n < 0 || int(n) > max {
		return nil, fmt.Errorf("%w: length %d", ErrBadSnapshot, n)
	}
	b, err := c.read(int(n))
	if err != nil {
		return nil, err
	}
	return append([]byte{}, b...), nil
}

func (c *checksumReader) record(r jute.Record, size int) error {
	b, err := c.read(size)
	if err != nil {
		return err
	}
	d := jute.NewDecoder(b)
	r.Decode(&d)
	return d.Err()
}

// maxSnapshotField bounds any one length in a snapshot.
const maxSnapshotField = 64 << 20

// ReadSnapshot replaces nothing: it builds a new tree from a snapshot in
// ZooKeeper's format, with opts.
func ReadSnapshot(r io.Reader, opts Options) (*Tree, error) {
	t := empty(opts)
	cr := &checksumReader{r: bufio.NewReaderSize(r, 64<<10), sum: adler32.New()}
	fail := func(err error) (*Tree, error) {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: truncated", ErrBadSnapshot)
		}
		return nil, err
	}
	var hdr jute.FileHeader
	if err := cr.record(&hdr, 16); err != nil {
		return fail(err)
	}
	if hdr.Magic != protocol.SnapshotMagic {
		return nil, fmt.Errorf("%w: magic %#x", ErrBadSnapshot, hdr.Magic)
	}
	nsess, err := cr.int()
	if err != nil {
		return fail(err)
	}
	for i := int32(0); i < nsess; i++ {
		id, err := cr.long()
		if err != nil {
			return fail(err)
		}
		to, err := cr.int()
		if err != nil {
			return fail(err)
		}
		t.sessions[id] = to
	}
	nacl, err := cr.int()
	if err != nil {
		return fail(err)
	}
	byID := map[int64][]jute.ACL{openACLID: t.intern(OpenACL)}
	for i := int32(0); i < nacl; i++ {
		id, err := cr.long()
		if err != nil {
			return fail(err)
		}
		n, err := cr.int()
		if err != nil {
			return fail(err)
		}
		if n < 0 || n > 1<<20 {
			return nil, fmt.Errorf("%w: acl count %d", ErrBadSnapshot, n)
		}
		acl := make([]jute.ACL, 0, n)
		for j := int32(0); j < n; j++ {
			perms, err := cr.int()
			if err != nil {
				return fail(err)
			}
			scheme, err := cr.blob(maxSnapshotField)
			if err != nil {
				return fail(err)
			}
			ident, err := cr.blob(maxSnapshotField)
			if err != nil {
				return fail(err)
			}
			acl = append(acl, jute.ACL{Perms: perms, ID: jute.Id{Scheme: string(scheme), ID: string(ident)}})
		}
		byID[id] = t.intern(acl)
	}
	for {
		p, err := cr.blob(maxSnapshotField)
		if err != nil {
			return fail(err)
		}
		path := string(p)
		if path == "/" {
			break
		}
		data, err := cr.blob(maxSnapshotField)
		if err != nil {
			return fail(err)
		}
		aclID, err := cr.long()
		if err != nil {
			return fail(err)
		}
		n := &Node{Data: data}
		if err := cr.record(&n.Stat, 60); err != nil {
			return fail(err)
		}
		acl, ok := byID[aclID]
		if !ok {
			return nil, fmt.Errorf("%w: node %q has unknown acl id %d", ErrBadSnapshot, path, aclID)
		}
		n.ACL = acl
		if path == "" {
			t.nodes["/"] = n
			continue
		}
		parent, _ := parentOf(path)
		pn := t.nodes[parent]
		if pn == nil {
			return nil, fmt.Errorf("%w: node %q before its parent", ErrBadSnapshot, path)
		}
		t.link(path, n)
		if KindOf(n.Stat.EphemeralOwner) == KindEphemeral {
			t.addEphemeral(n.Stat.EphemeralOwner, path)
		}
	}
	want := int64(cr.sum.Sum32())
	got, err := cr.long()
	if err != nil {
		return fail(err)
	}
	if got != want {
		return nil, fmt.Errorf("%w: checksum %#x, computed %#x", ErrBadSnapshot, got, want)
	}
	if t.nodes["/"] == nil {
		return nil, fmt.Errorf("%w: no root", ErrBadSnapshot)
	}
	return t, nil
}
