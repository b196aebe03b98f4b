package protocol

import (
	"errors"

	"github.com/raftzk/raftzk/jute"
)

// ErrBadHandshake is returned for a first frame that is not a ConnectRequest.
var ErrBadHandshake = errors.New("protocol: malformed connect request")

// PasswordLen is the length of every session password.
const PasswordLen = 16

// DecodeConnect reads the first frame of a connection: a ConnectRequest in the
// 44-byte form (no readOnly byte, as go-zookeeper sends) or the 45-byte form
// (Java, kazoo, the C client). HasReadOnly tells which, so the answer can use
// the same form.
func DecodeConnect(frame []byte) (jute.ConnectRequest, error) {
	var r jute.ConnectRequest
	d := jute.NewDecoder(frame)
	r.Decode(&d)
	if d.Err() != nil {
		return r, errors.Join(ErrBadHandshake, d.Err())
	}
	return r, nil
}

// AppendConnectResponse appends the framed ConnectResponse to b, with the
// readOnly byte only when the request carried one.
func AppendConnectResponse(b []byte, resp *jute.ConnectResponse) []byte {
	b, off := BeginFrame(b)
	e := jute.Encoder{B: b}
	resp.Encode(&e)
	EndFrame(e.B, off)
	return e.B
}

// FourLetterWords maps the int value of each four-letter word's bytes to the
// word. A connection whose first length word is one of these is a 4lw command.
var FourLetterWords = map[int32]string{}

func init() {
	for _, w := range []string{"conf", "cons", "crst", "dirs", "dump", "envi",
		"gtmk", "hash", "isro", "mntr", "ruok", "srst", "srvr", "stat", "stmk",
		"wchc", "wchp", "wchs"} {
		FourLetterWords[int32(w[0])<<24|int32(w[1])<<16|int32(w[2])<<8|int32(w[3])] = w
	}
}

// TelnetInterrupt is the telnet interrupt sequence (0xfff4fffd) that ZooKeeper
// answers by closing the connection.
const TelnetInterrupt int32 = -720899 // 0xfff4fffd
