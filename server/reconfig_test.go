package server

import (
	"testing"

	"github.com/raftzk/raftzk/jute"
)

func TestMembership_Apply(t *testing.T) {
	cur, err := parseMembership("server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\n" +
		"server.2=127.0.0.1:2889:3889:participant;0.0.0.0:2182\n" +
		"server.3=127.0.0.1:2890:3890:participant;0.0.0.0:2183\nversion=0")
	if err != nil || len(cur.servers) != 3 || cur.version != 0 {
		t.Fatalf("parse: %+v %v", cur, err)
	}
	for _, tc := range []struct {
		name    string
		req     jute.ReconfigRequest
		want    string
		wantErr bool
	}{
		{"add observer", jute.ReconfigRequest{JoiningServers: "server.4=127.0.0.1:2891:3891:observer;2184"},
			"server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\nserver.2=127.0.0.1:2889:3889:participant;0.0.0.0:2182\nserver.3=127.0.0.1:2890:3890:participant;0.0.0.0:2183\nserver.4=127.0.0.1:2891:3891:observer;0.0.0.0:2184\n", false},
		{"remove two", jute.ReconfigRequest{LeavingServers: "2, 3"},
			"server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\n", false},
		{"replace", jute.ReconfigRequest{NewMembers: "server.5=127.0.0.1:2892:3892;2185"},
			"server.5=127.0.0.1:2892:3892:participant;0.0.0.0:2185\n", false},
		{"remove everyone", jute.ReconfigRequest{LeavingServers: "1,2,3"}, "", true},
		{"bad joining", jute.ReconfigRequest{JoiningServers: "server.x=nonsense"}, "", true},
		{"bad leaving", jute.ReconfigRequest{LeavingServers: "two"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, err := cur.apply(&tc.req)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("accepted: %q", next.text())
				}
				return
			}
			if err != nil || next.text() != tc.want {
				t.Fatalf("got %q, %v; want %q", next.text(), err, tc.want)
			}
		})
	}
}
