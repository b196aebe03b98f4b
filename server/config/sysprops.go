package config

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// System property names the server honours. Those starting with
// "zookeeper." can also be set from zoo.cfg (without the prefix); the others
// can only come from JVM flags, exactly as in ZooKeeper.
const (
	PropJuteMaxBuffer               = "jute.maxbuffer"
	PropReadOnlyMode                = "readonlymode.enabled"
	PropContainerCheckInterval      = "znode.container.checkIntervalMs"
	PropContainerMaxPerMinute       = "znode.container.maxPerMinute"
	PropContainerMaxNeverUsed       = "znode.container.maxNeverUsedIntervalMs"
	PropFourLetterWhitelist         = "zookeeper.4lw.commands.whitelist"
	PropExtendedTypesEnabled        = "zookeeper.extendedTypesEnabled"
	PropSuperDigest                 = "zookeeper.DigestAuthenticationProvider.superDigest"
	PropDigestAuthEnabled           = "zookeeper.DigestAuthenticationProvider.enabled"
	PropSkipACL                     = "zookeeper.skipACL"
	PropEnforceQuota                = "zookeeper.enforceQuota"
	PropSessionlessCnxnTimeout      = "zookeeper.nio.sessionlessCnxnTimeout"
	PropMaxCnxns                    = "zookeeper.maxCnxns"
	PropSnapCount                   = "zookeeper.snapCount"
	PropGlobalOutstandingLimit      = "zookeeper.globalOutstandingLimit"
	PropMultiAddressEnabled         = "zookeeper.multiAddress.enabled"
	PropAdminEnableServer           = "zookeeper.admin.enableServer"
	PropAdminServerAddress          = "zookeeper.admin.serverAddress"
	PropAdminServerPort             = "zookeeper.admin.serverPort"
	PropAdminCommandURL             = "zookeeper.admin.commandURL"
	PropAdminIdleTimeout            = "zookeeper.admin.idleTimeout"
	zkPrefix                        = "zookeeper."
	fourLetterWordsEveryKnownMarker = "*"
)

// The accessors below read one property the way the ZooKeeper class that
// owns it does. ok is false when the property is present but malformed and
// the default was used instead (Java falls back silently).

// JuteMaxBuffer: BinaryInputArchive, Integer.getInteger, default 0xfffff.
func (p Properties) JuteMaxBuffer() (int, bool) {
	v, ok := p.Integer(PropJuteMaxBuffer, DefaultJuteMaxBuffer)
	return int(v), ok
}

// ExtendedTypesEnabled: EphemeralType, Boolean.getBoolean.
func (p Properties) ExtendedTypesEnabled() bool { return p.Boolean(PropExtendedTypesEnabled) }

// SuperDigest: DigestAuthenticationProvider; "" when unset.
func (p Properties) SuperDigest() string { return p[PropSuperDigest] }

// DigestAuthEnabled: DigestAuthenticationProvider, parseBoolean, default true.
func (p Properties) DigestAuthEnabled() bool { return p.ParseBoolean(PropDigestAuthEnabled, true) }

// ReadOnlyModeEnabled: QuorumPeer, Boolean.getBoolean.
func (p Properties) ReadOnlyModeEnabled() bool { return p.Boolean(PropReadOnlyMode) }

// SkipACL: ZooKeeperServer; only the exact value "yes" disables ACLs.
func (p Properties) SkipACL() bool { return p[PropSkipACL] == "yes" }

// EnforceQuota: ZooKeeperServer, parseBoolean, default false.
func (p Properties) EnforceQuota() bool { return p.ParseBoolean(PropEnforceQuota, false) }

// MaxCnxns: ServerCnxnFactory, Integer.getInteger, default 0 (unlimited).
func (p Properties) MaxCnxns() (int, bool) {
	v, ok := p.Integer(PropMaxCnxns, 0)
	return int(v), ok
}

// SessionlessCnxnTimeout: NIOServerCnxnFactory, Integer.getInteger ms,
// default 10000.
func (p Properties) SessionlessCnxnTimeout() (time.Duration, bool) {
	v, ok := p.Integer(PropSessionlessCnxnTimeout, int32(DefaultSessionlessCnxnTimeout/time.Millisecond))
	return time.Duration(v) * time.Millisecond, ok
}

// ContainerCheckInterval: ZooKeeperServerMain, Integer.getInteger ms,
// default 60000.
func (p Properties) ContainerCheckInterval() (time.Duration, bool) {
	v, ok := p.Integer(PropContainerCheckInterval, int32(DefaultContainerCheckInterval/time.Millisecond))
	return time.Duration(v) * time.Millisecond, ok
}

// ContainerMaxPerMinute: ZooKeeperServerMain, Integer.getInteger, default
// 10000.
func (p Properties) ContainerMaxPerMinute() (int, bool) {
	v, ok := p.Integer(PropContainerMaxPerMinute, DefaultContainerMaxPerMinute)
	return int(v), ok
}

// ContainerMaxNeverUsedInterval: ZooKeeperServerMain, Long.getLong ms,
// default 0.
func (p Properties) ContainerMaxNeverUsedInterval() (time.Duration, bool) {
	v, ok := p.Long(PropContainerMaxNeverUsed, 0)
	return time.Duration(v) * time.Millisecond, ok
}

// SnapCount: ZooKeeperServer, Integer.getInteger, default 100000; values
// below 2 are raised to 2 by SyncRequestProcessor (the caller warns).
func (p Properties) SnapCount() (int, bool) {
	v, ok := p.Integer(PropSnapCount, DefaultSnapCount)
	return int(v), ok
}

// GlobalOutstandingLimit: ZooKeeperServer, Integer.parseInt, default 1000
// (also for negative values).
func (p Properties) GlobalOutstandingLimit() (int, bool) {
	s, present := p[PropGlobalOutstandingLimit]
	if !present {
		return DefaultGlobalOutstandingLimit, true
	}
	n, err := parseJavaInt(s)
	if err != nil || n < 0 {
		return DefaultGlobalOutstandingLimit, false
	}
	return int(n), true
}

// Admin reads the zookeeper.admin.* properties (AdminServerFactory,
// JettyAdminServer). The server is enabled unless enableServer is exactly
// "false".
func (p Properties) Admin() (AdminConfig, bool) {
	port, ok1 := p.Integer(PropAdminServerPort, DefaultAdminServerPort)
	idle, ok2 := p.Integer(PropAdminIdleTimeout, int32(DefaultAdminIdleTimeout/time.Millisecond))
	return AdminConfig{
		Enabled:       p[PropAdminEnableServer] != "false",
		ServerAddress: p.Get(PropAdminServerAddress, DefaultAdminServerAddress),
		ServerPort:    int(port),
		CommandURL:    p.Get(PropAdminCommandURL, DefaultAdminCommandURL),
		IdleTimeout:   time.Duration(idle) * time.Millisecond,
	}, ok1 && ok2
}

// FourLetterWords reads zookeeper.4lw.commands.whitelist together with
// readonlymode.enabled, as FourLetterCommands.isEnabled does.
func (p Properties) FourLetterWords() FourLetterWords {
	list, set := p[PropFourLetterWhitelist]
	// FourLetterCommands compares readonlymode.enabled with "true" exactly.
	return ParseFourLetterWords(list, set, p[PropReadOnlyMode] == "true")
}

// FourLetterWords is the set of enabled four-letter words.
type FourLetterWords map[string]bool

// knownFourLetterWords are the words FourLetterCommands knows; "*" enables
// all of them.
var knownFourLetterWords = []string{
	"conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "isro",
	"mntr", "ruok", "srst", "srvr", "stat", "stmk", "wchc", "wchp", "wchs",
}

// KnownFourLetterWords returns the words a whitelist of "*" enables, sorted.
func KnownFourLetterWords() []string {
	return append([]string(nil), knownFourLetterWords...)
}

// ParseFourLetterWords builds the whitelist as FourLetterCommands does: a
// comma-separated list, entries trimmed, "*" meaning every known word;
// "srvr" is always enabled (zkServer.sh status needs it) and "isro" too when
// readOnlyMode is on. set is false when the property is absent. Unknown
// words are kept (they simply never match a command).
func ParseFourLetterWords(list string, set bool, readOnlyMode bool) FourLetterWords {
	w := FourLetterWords{}
	if set {
		for _, cmd := range strings.Split(list, ",") {
			cmd = javaTrim(cmd)
			if cmd == fourLetterWordsEveryKnownMarker {
				for _, k := range knownFourLetterWords {
					w[k] = true
				}
				break
			}
			if cmd != "" {
				w[cmd] = true
			}
		}
	}
	if readOnlyMode {
		w["isro"] = true
	}
	w["srvr"] = true
	return w
}

// Enabled reports whether cmd may run.
func (w FourLetterWords) Enabled(cmd string) bool { return w[cmd] }

// List returns the enabled words, sorted.
func (w FourLetterWords) List() []string {
	out := make([]string, 0, len(w))
	for k := range w {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ApplyProperties sets every property-derived field of c from
// c.FileProperties (what zoo.cfg produced) overlaid by p, and stores the
// result in c.Properties. Build p with Merge(JVMFlagsFromEnv(os.Getenv),
// explicit) so that explicit flags beat JVMFLAGS, which beat zoo.cfg.
//
// Note the divergence this precedence implies: Apache ZooKeeper applies
// zoo.cfg keys with System.setProperty after the JVM started, so there
// zoo.cfg beats -D flags. Each such conflict is reported as a WarnNotice
// warning naming both values.
//
// Fields are recomputed from defaults on every call, so calling it again
// with different p is safe; fields set by hand are overwritten.
func (c *Config) ApplyProperties(p Properties) []Warning {
	var warns []Warning
	for _, k := range p.Keys() {
		if fv, ok := c.FileProperties[k]; ok && fv != p[k] {
			warns = append(warns, Warning{
				File: c.Source, Line: c.fileLines[k], Key: k, Kind: WarnNotice,
				Reason: fmt.Sprintf("zoo.cfg sets %q but the JVM flags set %q; raftzk uses %q (Apache ZooKeeper would use the zoo.cfg value)", fv, p[k], p[k]),
			})
		}
	}
	return append(warns, c.applyProperties(p)...)
}

func (c *Config) applyProperties(p Properties) []Warning {
	m := Merge(c.FileProperties, p)
	c.Properties = m
	var warns []Warning
	bad := func(key string, ok bool, def any) {
		if !ok {
			warns = append(warns, Warning{
				File: c.sourceOf(key, p), Line: c.lineOf(key, p), Key: key, Kind: WarnNotice,
				Reason: fmt.Sprintf("invalid value %q, using the default %v as ZooKeeper does", m[key], def),
			})
		}
	}
	var ok bool
	c.JuteMaxBuffer, ok = m.JuteMaxBuffer()
	bad(PropJuteMaxBuffer, ok, DefaultJuteMaxBuffer)
	c.ExtendedTypesEnabled = m.ExtendedTypesEnabled()
	c.SuperDigest = m.SuperDigest()
	c.DigestAuthEnabled = m.DigestAuthEnabled()
	c.ReadOnlyModeEnabled = m.ReadOnlyModeEnabled()
	c.SkipACL = m.SkipACL()
	c.EnforceQuota = m.EnforceQuota()
	c.MaxCnxns, ok = m.MaxCnxns()
	bad(PropMaxCnxns, ok, 0)
	c.SessionlessCnxnTimeout, ok = m.SessionlessCnxnTimeout()
	bad(PropSessionlessCnxnTimeout, ok, DefaultSessionlessCnxnTimeout)
	c.ContainerCheckInterval, ok = m.ContainerCheckInterval()
	bad(PropContainerCheckInterval, ok, DefaultContainerCheckInterval)
	c.ContainerMaxPerMinute, ok = m.ContainerMaxPerMinute()
	bad(PropContainerMaxPerMinute, ok, DefaultContainerMaxPerMinute)
	c.ContainerMaxNeverUsedInterval, ok = m.ContainerMaxNeverUsedInterval()
	bad(PropContainerMaxNeverUsed, ok, 0)
	c.SnapCount, ok = m.SnapCount()
	bad(PropSnapCount, ok, DefaultSnapCount)
	if c.SnapCount < MinSnapCount {
		warns = append(warns, Warning{
			File: c.sourceOf(PropSnapCount, p), Line: c.lineOf(PropSnapCount, p), Key: PropSnapCount, Kind: WarnNotice,
			Reason: fmt.Sprintf("snapCount should be 2 or more; %d is raised to 2", c.SnapCount),
		})
		c.SnapCount = MinSnapCount
	}
	c.GlobalOutstandingLimit, ok = m.GlobalOutstandingLimit()
	bad(PropGlobalOutstandingLimit, ok, DefaultGlobalOutstandingLimit)
	c.Admin, _ = m.Admin()
	_, ok = m.Integer(PropAdminServerPort, DefaultAdminServerPort)
	bad(PropAdminServerPort, ok, DefaultAdminServerPort)
	_, ok = m.Integer(PropAdminIdleTimeout, 0)
	bad(PropAdminIdleTimeout, ok, DefaultAdminIdleTimeout)
	c.FourLetterWords = m.FourLetterWords()
	if _, set := m[PropFourLetterWhitelist]; set {
		known := map[string]bool{}
		for _, k := range knownFourLetterWords {
			known[k] = true
		}
		for _, w := range c.FourLetterWords.List() {
			if !known[w] {
				warns = append(warns, Warning{
					File: c.sourceOf(PropFourLetterWhitelist, p), Line: c.lineOf(PropFourLetterWhitelist, p),
					Key: PropFourLetterWhitelist, Kind: WarnNotice,
					Reason: fmt.Sprintf("%q is not a four-letter word; it enables nothing", w),
				})
			}
		}
	}
	if m.ParseBoolean(PropMultiAddressEnabled, false) {
		c.MultiAddressEnabled = true
	}
	return warns
}

// sourceOf and lineOf locate a property in zoo.cfg when the effective value
// came from there.
func (c *Config) sourceOf(key string, p Properties) string {
	if _, over := p[key]; over {
		return ""
	}
	if _, ok := c.fileLines[key]; ok {
		return c.Source
	}
	return ""
}

func (c *Config) lineOf(key string, p Properties) int {
	if _, over := p[key]; over {
		return 0
	}
	return c.fileLines[key]
}
