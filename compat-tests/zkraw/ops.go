package zkraw

import (
	"context"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// OpenACL is ZooDefs.Ids.OPEN_ACL_UNSAFE.
var OpenACL = []jute.ACL{{Perms: protocol.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}

// result turns a reply into its body or its error code.
func result(p *Packet, err error) (jute.Record, error) {
	if err != nil {
		return nil, err
	}
	if p.Header.Err != 0 {
		return nil, p.Code()
	}
	if p.DecodeErr != nil {
		return nil, p.DecodeErr
	}
	return p.Resp, nil
}

// The typed helpers below send one request with a fresh xid and wait for its
// reply. A ZooKeeper error comes back as a protocol.Code.

// Create sends create (opcode 1) and returns the created path.
func (c *Conn) Create(ctx context.Context, path string, data []byte, acl []jute.ACL, mode protocol.CreateMode) (string, error) {
	r, err := result(c.Do(ctx, protocol.OpCreate, &jute.CreateRequest{Path: path, Data: data, ACL: acl, Flags: int32(mode)}))
	if err != nil {
		return "", err
	}
	return r.(*jute.CreateResponse).Path, nil
}

// Create2 sends create2 (opcode 15) and returns the path and the new node's Stat.
func (c *Conn) Create2(ctx context.Context, path string, data []byte, acl []jute.ACL, mode protocol.CreateMode) (*jute.Create2Response, error) {
	r, err := result(c.Do(ctx, protocol.OpCreate2, &jute.CreateRequest{Path: path, Data: data, ACL: acl, Flags: int32(mode)}))
	if err != nil {
		return nil, err
	}
	return r.(*jute.Create2Response), nil
}

// Delete sends delete.
func (c *Conn) Delete(ctx context.Context, path string, version int32) error {
	_, err := result(c.Do(ctx, protocol.OpDelete, &jute.DeleteRequest{Path: path, Version: version}))
	return err
}

// Exists sends exists.
func (c *Conn) Exists(ctx context.Context, path string, watch bool) (*jute.Stat, error) {
	r, err := result(c.Do(ctx, protocol.OpExists, &jute.ExistsRequest{Path: path, Watch: watch}))
	if err != nil {
		return nil, err
	}
	return &r.(*jute.ExistsResponse).Stat, nil
}

// GetData sends getData.
func (c *Conn) GetData(ctx context.Context, path string, watch bool) (*jute.GetDataResponse, error) {
	r, err := result(c.Do(ctx, protocol.OpGetData, &jute.GetDataRequest{Path: path, Watch: watch}))
	if err != nil {
		return nil, err
	}
	return r.(*jute.GetDataResponse), nil
}

// SetData sends setData.
func (c *Conn) SetData(ctx context.Context, path string, data []byte, version int32) (*jute.Stat, error) {
	r, err := result(c.Do(ctx, protocol.OpSetData, &jute.SetDataRequest{Path: path, Data: data, Version: version}))
	if err != nil {
		return nil, err
	}
	return &r.(*jute.SetDataResponse).Stat, nil
}

// GetChildren2 sends getChildren2.
func (c *Conn) GetChildren2(ctx context.Context, path string, watch bool) (*jute.GetChildren2Response, error) {
	r, err := result(c.Do(ctx, protocol.OpGetChildren2, &jute.GetChildren2Request{Path: path, Watch: watch}))
	if err != nil {
		return nil, err
	}
	return r.(*jute.GetChildren2Response), nil
}

// Multi sends multi and returns the per-op results.
func (c *Conn) Multi(ctx context.Context, ops ...protocol.MultiOp) ([]protocol.MultiResult, error) {
	r, err := result(c.Do(ctx, protocol.OpMulti, &protocol.MultiRequest{Ops: ops}))
	if err != nil {
		return nil, err
	}
	return r.(*protocol.MultiResponse).Results, nil
}

// AddAuth sends an auth packet with xid -4, as the Java client does.
func (c *Conn) AddAuth(ctx context.Context, scheme string, auth []byte) error {
	_, err := result(c.Call(ctx, protocol.XidAuth, protocol.OpAuth, &jute.AuthPacket{Scheme: scheme, Auth: auth}))
	return err
}
