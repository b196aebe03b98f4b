package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// PeerType is a server's role in an ensemble (QuorumPeer.LearnerType).
// Participants vote; observers are Raft non-voters.
type PeerType int

const (
	Participant PeerType = iota // the zero value, as in ZooKeeper
	Observer
)

func (t PeerType) String() string {
	switch t {
	case Participant:
		return "participant"
	case Observer:
		return "observer"
	}
	return fmt.Sprintf("PeerType(%d)", int(t))
}

func parsePeerType(s string) (PeerType, error) {
	switch strings.ToLower(javaTrim(s)) {
	case "participant":
		return Participant, nil
	case "observer":
		return Observer, nil
	}
	return 0, fmt.Errorf("unrecognised peertype: %s", s)
}

// ServerAddress is one quorum/election address pair of a server.N line.
type ServerAddress struct {
	Host         string // as written; IPv6 without brackets
	QuorumPort   int    // carries Raft in raftzk
	ElectionPort int    // carries server-to-server requests in raftzk
}

// Server is one parsed server.N line:
//
//	server.N=host:quorumPort:electionPort[:participant|observer][|host:...][;[clientHost:]clientPort]
//
// as accepted by QuorumPeer.QuorumServer(long, String).
type Server struct {
	ID        int64
	Addresses []ServerAddress // more than one only with multiAddress.enabled
	Type      PeerType
	// ClientHost and ClientPort come from the optional ";[host:]port" part.
	// ClientPort is 0 when the part is absent; ClientHost is "0.0.0.0" when
	// only a port was given.
	ClientHost string
	ClientPort int
}

// String formats s as ZooKeeper writes it into /zookeeper/config and the
// dynamic config file (QuorumServer.toString), without the "server.N=" key.
func (s Server) String() string {
	var b strings.Builder
	for i, a := range s.Addresses {
		if i > 0 {
			b.WriteByte('|')
		}
		fmt.Fprintf(&b, "%s:%d:%d", delimitHost(a.Host), a.QuorumPort, a.ElectionPort)
	}
	b.WriteByte(':')
	b.WriteString(s.Type.String())
	if s.ClientPort != 0 {
		fmt.Fprintf(&b, ";%s:%d", delimitHost(s.ClientHost), s.ClientPort)
	}
	return b.String()
}

func delimitHost(h string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]"
	}
	return h
}

const serverWrongFormat = " does not have the form server_config or server_config;client_config" +
	" where server_config is the pipe separated list of host:port:port or host:port:port:type" +
	" and client_config is port or host:port"

// ParseServer parses the value of a server.N line with the rules of
// QuorumPeer.QuorumServer. It does not resolve host names and does not check
// multiAddress.enabled (Validate does).
func ParseServer(id int64, value string) (Server, error) {
	s := Server{ID: id}
	parts := javaSplit(value, ";")
	if len(parts) > 2 || len(parts) == 0 {
		return s, errors.New(value + serverWrongFormat)
	}
	if len(parts) == 2 {
		cp, err := hostAndPort(parts[1])
		if err != nil {
			return s, err
		}
		if len(cp) > 2 {
			return s, errors.New(value + serverWrongFormat)
		}
		s.ClientHost = "0.0.0.0"
		if len(cp) == 2 {
			s.ClientHost = cp[0]
		}
		port, err := parsePort(cp[len(cp)-1])
		if err != nil {
			return s, fmt.Errorf("address unresolved: %s:%s", s.ClientHost, cp[len(cp)-1])
		}
		s.ClientPort = port
	}
	typeSet := false
	for _, addr := range javaSplit(parts[0], "|") {
		sp, err := hostAndPort(addr)
		if err != nil {
			return s, err
		}
		if len(sp) < 3 || len(sp) > 4 || sp[0] == "" {
			return s, errors.New(value + serverWrongFormat)
		}
		a := ServerAddress{Host: sp[0]}
		if a.QuorumPort, err = parsePort(sp[1]); err != nil {
			return s, fmt.Errorf("address unresolved: %s:%s", sp[0], sp[1])
		}
		if a.ElectionPort, err = parsePort(sp[2]); err != nil {
			return s, fmt.Errorf("address unresolved: %s:%s", sp[0], sp[2])
		}
		if a.QuorumPort == a.ElectionPort {
			return s, fmt.Errorf("quorum and election port must be different! Please update the configuration file on server.%d", id)
		}
		if len(sp) == 4 {
			t, err := parsePeerType(sp[3])
			if err != nil {
				return s, err
			}
			if typeSet && t != s.Type {
				return s, fmt.Errorf("multiple addresses should have similar roles: %s vs %s", s.Type, t)
			}
			s.Type, typeSet = t, true
		}
		s.Addresses = append(s.Addresses, a)
	}
	if len(s.Addresses) == 0 {
		return s, errors.New(value + serverWrongFormat)
	}
	return s, nil
}

// parsePort mirrors Integer.parseInt followed by InetSocketAddress's range
// check.
func parsePort(s string) (int, error) {
	n, err := parseJavaInt(s)
	if err != nil {
		return 0, err
	}
	if n < 0 || n > 65535 {
		return 0, fmt.Errorf("port out of range: %d", n)
	}
	return int(n), nil
}

// parseJavaInt mirrors Integer.parseInt: optional sign, decimal digits,
// 32-bit range.
func parseJavaInt(s string) (int32, error) {
	if s == "" || strings.HasPrefix(s, "_") || strings.Contains(s, "_") {
		return 0, fmt.Errorf("for input string: %q", s)
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("for input string: %q", s)
	}
	return int32(n), nil
}

// parseJavaLong mirrors Long.parseLong(s, base).
func parseJavaLong(s string, base int) (int64, error) {
	if s == "" || strings.Contains(s, "_") {
		return 0, fmt.Errorf("for input string: %q", s)
	}
	n, err := strconv.ParseInt(s, base, 64)
	if err != nil {
		return 0, fmt.Errorf("for input string: %q", s)
	}
	return n, nil
}

// hostAndPort mirrors ConfigUtils.getHostAndPort: split on ':', with an
// IPv6 literal in brackets as the first element.
func hostAndPort(s string) ([]string, error) {
	if strings.HasPrefix(s, "[") {
		i := strings.IndexByte(s, ']')
		if i < 0 {
			return nil, fmt.Errorf("%s starts with '[' but has no matching ']:'", s)
		}
		if i+2 == len(s) {
			return nil, fmt.Errorf("%s doesn't have a port after colon", s)
		}
		if i+2 < len(s) {
			return append([]string{s[1:i]}, javaSplit(s[i+2:], ":")...), nil
		}
		return []string{strings.NewReplacer("[", "", "]", "").Replace(s)}, nil
	}
	return javaSplit(s, ":"), nil
}

// javaSplit mirrors String.split with a literal separator: trailing empty
// strings are removed (but an empty input yields one empty string).
func javaSplit(s, sep string) []string {
	parts := strings.Split(s, sep)
	if s == "" {
		return parts
	}
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}
