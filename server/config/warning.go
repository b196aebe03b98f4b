package config

import "fmt"

// WarningKind says why a setting produced a Warning.
type WarningKind int

const (
	// WarnUnknown: the key is not a ZooKeeper setting at all (probably a
	// typo). ZooKeeper silently turns it into the system property
	// "zookeeper.<key>", which nothing reads.
	WarnUnknown WarningKind = iota + 1
	// WarnNotUsed: ZooKeeper knows the setting; raftzk accepts it but does
	// not act on it (yet, or ever: e.g. preAllocSize has no meaning for a
	// Raft log).
	WarnNotUsed
	// WarnIneffective: the setting has no effect in Apache ZooKeeper either,
	// usually a JVM property written into zoo.cfg (jute.maxbuffer becomes
	// zookeeper.jute.maxbuffer). raftzk matches ZooKeeper and ignores it.
	WarnIneffective
	// WarnNotice: the setting was accepted but its value was replaced or
	// overridden (autopurge.snapRetainCount below 3, a malformed number
	// falling back to the default, a duplicate key, a peerType that
	// disagrees with server.N, a JVM flag beating zoo.cfg), or the
	// configuration is legal but unwise (a relative dataDir, two voters).
	WarnNotice
)

func (k WarningKind) String() string {
	switch k {
	case WarnUnknown:
		return "unknown"
	case WarnNotUsed:
		return "accepted, not used"
	case WarnIneffective:
		return "ineffective"
	case WarnNotice:
		return "notice"
	}
	return fmt.Sprintf("WarningKind(%d)", int(k))
}

// Warning reports a setting that was accepted but deserves the operator's
// attention. Warnings never stop the server; callers log them once.
type Warning struct {
	File   string // "" when the source has no name
	Line   int    // 1-based; 0 when the setting did not come from a file
	Key    string
	Kind   WarningKind
	Reason string
}

func (w Warning) String() string {
	loc := w.File
	if w.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, w.Line)
	}
	if loc != "" {
		loc += ": "
	}
	return fmt.Sprintf("%s%s: %s: %s", loc, w.Key, w.Kind, w.Reason)
}

// ParseError is a zoo.cfg (or dynamic config, or myid) error that makes
// Apache ZooKeeper refuse to start.
type ParseError struct {
	File string
	Line int // 0 when unknown
	Key  string
	Err  error
}

func (e *ParseError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, e.Line)
	}
	if loc != "" {
		loc += ": "
	}
	if e.Key != "" {
		return fmt.Sprintf("config: %s%s: %v", loc, e.Key, e.Err)
	}
	return fmt.Sprintf("config: %s%v", loc, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }
