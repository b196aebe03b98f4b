package config

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"time"
)

// Defaults that ZooKeeper uses in code (ZooKeeperServer, QuorumPeerConfig,
// the system-property readers), not the values of the sample zoo.cfg.
const (
	DefaultTickTime                 = 3000 // ZooKeeperServer.DEFAULT_TICK_TIME, ms
	DefaultMaxClientCnxns           = 60
	DefaultSnapRetainCount          = 3
	MinSnapRetainCount              = 3
	DefaultSnapCount                = 100000
	MinSnapCount                    = 2
	DefaultJuteMaxBuffer            = 0xfffff
	DefaultGlobalOutstandingLimit   = 1000
	DefaultElectionAlg              = 3
	DefaultClientPortListenBacklog  = -1
	DefaultAdminServerAddress       = "0.0.0.0"
	DefaultAdminServerPort          = 8080
	DefaultAdminCommandURL          = "/commands"
	DefaultAdminIdleTimeout         = 30 * time.Second
	DefaultContainerCheckInterval   = time.Minute
	DefaultContainerMaxPerMinute    = 10000
	DefaultSessionlessCnxnTimeout   = 10 * time.Second
	DefaultMetricsProviderClassName = "org.apache.zookeeper.metrics.impl.DefaultMetricsProvider"
	PrometheusMetricsProviderClass  = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider"
	DefaultPrometheusHTTPHost       = "0.0.0.0"
	DefaultPrometheusHTTPPort       = 7000

	// UnsetServerID is MyID before a myid file was read (QuorumPeerConfig's
	// UNSET_SERVERID).
	UnsetServerID int64 = -1
	// UnsetSessionTimeout in MinSessionTimeout/MaxSessionTimeout means
	// "2 × / 20 × TickTime", as in ZooKeeper.
	UnsetSessionTimeout = -1
)

// Config is a parsed zoo.cfg plus the system properties the server honours.
//
// Fields that mirror a zoo.cfg integer keep ZooKeeper's unit (milliseconds
// or ticks) and type int, so `conf` and /zookeeper/config print them back
// unchanged; timers that only Go code consumes are time.Duration.
//
// A Config is a plain value: build it with Default, DefaultStandalone,
// Parse or Load, adjust it, call ApplyProperties with the JVM-style
// properties, then Validate. It is not safe for concurrent mutation.
type Config struct {
	// Source is the zoo.cfg path it was loaded from ("" when parsed from a
	// reader or built in code).
	Source string

	TickTime                int    // ms
	DataDir                 string // snapshots in <DataDir>/version-2, myid in <DataDir>
	DataLogDir              string // txn log; "" means DataDir (see LogDir)
	ClientPort              int    // 0: no plain listener
	ClientPortAddress       string // "" means all interfaces
	SecureClientPort        int    // 0: no TLS listener
	SecureClientPortAddress string
	ClientPortListenBacklog int // -1: OS default
	MaxClientCnxns          int // per client IP; 0 = unlimited
	MinSessionTimeout       int // ms; UnsetSessionTimeout = 2 × TickTime
	MaxSessionTimeout       int // ms; UnsetSessionTimeout = 20 × TickTime
	InitLimit               int // ticks
	SyncLimit               int // ticks
	ElectionAlg             int // only 3 is valid

	PeerType             PeerType
	Servers              []Server // sorted by ID
	ConfigVersion        int64    // the hex "version" of the dynamic config; 0 if none
	MyID                 int64    // UnsetServerID until read from <DataDir>/myid
	StandaloneEnabled    bool
	ReconfigEnabled      bool
	DynamicConfigFile    string
	MultiAddressEnabled  bool
	QuorumListenOnAllIPs bool
	LocalSessionsEnabled bool

	AutopurgeSnapRetainCount int // never below MinSnapRetainCount after Parse
	AutopurgePurgeInterval   int // hours; 0 = off

	Metrics MetricsConfig

	// Settings ZooKeeper reads from system properties. Parse fills them from
	// the zookeeper.* properties zoo.cfg produces; ApplyProperties recomputes
	// them once JVM flags are known.
	SnapCount              int
	GlobalOutstandingLimit int
	Admin                  AdminConfig
	FourLetterWords        FourLetterWords
	JuteMaxBuffer          int  // jute.maxbuffer: largest request a client may send
	ExtendedTypesEnabled   bool // zookeeper.extendedTypesEnabled: TTL nodes
	SuperDigest            string
	DigestAuthEnabled      bool // zookeeper.DigestAuthenticationProvider.enabled
	ReadOnlyModeEnabled    bool // readonlymode.enabled
	SkipACL                bool // zookeeper.skipACL=yes
	EnforceQuota           bool // zookeeper.enforceQuota
	MaxCnxns               int  // zookeeper.maxCnxns: server-wide; 0 = unlimited
	SessionlessCnxnTimeout time.Duration
	ContainerCheckInterval time.Duration
	ContainerMaxPerMinute  int
	// ContainerMaxNeverUsedInterval: 0 means never delete a container that
	// never had children.
	ContainerMaxNeverUsedInterval time.Duration

	// FileProperties are the system properties zoo.cfg produced: every key
	// QuorumPeerConfig does not parse itself, prefixed with "zookeeper.".
	FileProperties Properties
	// Properties are the effective system properties after the last
	// ApplyProperties (FileProperties overlaid by the caller's).
	Properties Properties

	fileLines map[string]int // property name -> zoo.cfg line, for warnings
}

// AdminConfig is the AdminServer (HTTP) configuration, read from the
// zookeeper.admin.* properties.
type AdminConfig struct {
	Enabled       bool // false only when zookeeper.admin.enableServer is "false"
	ServerAddress string
	ServerPort    int
	CommandURL    string
	IdleTimeout   time.Duration
}

// MetricsConfig is the metricsProvider.* block of zoo.cfg.
type MetricsConfig struct {
	ClassName string
	// Options are every metricsProvider.<name> key other than className,
	// without the prefix (as ZooKeeper hands them to the provider).
	Options map[string]string
	// For the Prometheus provider (defaults applied whatever the class):
	HTTPHost      string // metricsProvider.httpHost
	HTTPPort      int    // metricsProvider.httpPort
	ExportJVMInfo bool   // metricsProvider.exportJvmInfo
}

// Prometheus reports whether the configured provider is ZooKeeper's
// Prometheus exporter.
func (m MetricsConfig) Prometheus() bool { return m.ClassName == PrometheusMetricsProviderClass }

// Default returns the configuration ZooKeeper's code assumes when a key is
// absent. DataDir is empty, so it does not Validate until one is set.
func Default() *Config {
	c := &Config{
		TickTime:                 DefaultTickTime,
		ClientPortListenBacklog:  DefaultClientPortListenBacklog,
		MaxClientCnxns:           DefaultMaxClientCnxns,
		MinSessionTimeout:        UnsetSessionTimeout,
		MaxSessionTimeout:        UnsetSessionTimeout,
		ElectionAlg:              DefaultElectionAlg,
		PeerType:                 Participant,
		MyID:                     UnsetServerID,
		StandaloneEnabled:        true,
		ReconfigEnabled:          false,
		AutopurgeSnapRetainCount: DefaultSnapRetainCount,
		AutopurgePurgeInterval:   0,
		Metrics: MetricsConfig{
			ClassName:     DefaultMetricsProviderClassName,
			Options:       map[string]string{},
			HTTPHost:      DefaultPrometheusHTTPHost,
			HTTPPort:      DefaultPrometheusHTTPPort,
			ExportJVMInfo: true,
		},
		FileProperties: Properties{},
	}
	c.applyProperties(nil)
	return c
}

// DefaultStandalone is what `raftzk serve` uses without a config file: the
// values of ZooKeeper's sample zoo.cfg (tickTime 2000, initLimit 10,
// syncLimit 5, clientPort 2181) with the given data directory.
func DefaultStandalone(dataDir string) *Config {
	c := Default()
	c.TickTime = 2000
	c.InitLimit = 10
	c.SyncLimit = 5
	c.ClientPort = 2181
	c.DataDir = dataDir
	c.DataLogDir = dataDir
	c.MinSessionTimeout = 2 * c.TickTime
	c.MaxSessionTimeout = 20 * c.TickTime
	return c
}

// LogDir returns the transaction log directory: DataLogDir, or DataDir
// when it is empty.
func (c *Config) LogDir() string {
	if c.DataLogDir != "" {
		return c.DataLogDir
	}
	return c.DataDir
}

// SessionTimeouts returns the effective session timeout bounds in ms,
// resolving UnsetSessionTimeout to 2 × and 20 × TickTime.
func (c *Config) SessionTimeouts() (minMs, maxMs int) {
	minMs, maxMs = c.MinSessionTimeout, c.MaxSessionTimeout
	if minMs == UnsetSessionTimeout {
		minMs = 2 * c.TickTime
	}
	if maxMs == UnsetSessionTimeout {
		maxMs = 20 * c.TickTime
	}
	return minMs, maxMs
}

// Participants returns the voting servers, sorted by ID.
func (c *Config) Participants() []Server { return c.serversOfType(Participant) }

// Observers returns the non-voting servers, sorted by ID.
func (c *Config) Observers() []Server { return c.serversOfType(Observer) }

func (c *Config) serversOfType(t PeerType) []Server {
	var out []Server
	for _, s := range c.Servers {
		if s.Type == t {
			out = append(out, s)
		}
	}
	return out
}

// Server returns the server.N entry with the given id.
func (c *Config) Server(id int64) (Server, bool) {
	for _, s := range c.Servers {
		if s.ID == id {
			return s, true
		}
	}
	return Server{}, false
}

// IsStandalone applies ZooKeeper's rule (QuorumPeerConfig.isDistributed):
// a configuration runs standalone unless it has server.N lines and either
// more than one participant or standaloneEnabled=false.
func (c *Config) IsStandalone() bool {
	if len(c.Servers) == 0 {
		return true
	}
	return c.StandaloneEnabled && len(c.Participants()) <= 1
}

func sortServers(s []Server) {
	sort.Slice(s, func(i, j int) bool { return s[i].ID < s[j].ID })
}

// Validate checks c as QuorumPeerConfig and the server startup code would,
// and returns every problem found, joined (errors.Join), or nil.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: "+format, args...))
	}
	if c.TickTime <= 0 {
		add("tickTime is not set (got %d)", c.TickTime)
	}
	if c.DataDir == "" {
		add("dataDir is not set")
	}
	checkPort := func(name string, p int) {
		if p < 0 || p > 65535 {
			add("%s out of range: %d", name, p)
		}
	}
	checkPort("clientPort", c.ClientPort)
	checkPort("secureClientPort", c.SecureClientPort)
	if c.ClientPort == 0 && c.ClientPortAddress != "" {
		add("clientPortAddress is set but clientPort is not set")
	}
	if c.SecureClientPort == 0 && c.SecureClientPortAddress != "" {
		add("secureClientPortAddress is set but secureClientPort is not set")
	}
	for _, a := range []struct{ key, v string }{
		{"clientPortAddress", c.ClientPortAddress},
		{"secureClientPortAddress", c.SecureClientPortAddress},
	} {
		if a.v != "" && !validHost(a.v) {
			add("%s is not a host name or IP address: %q", a.key, a.v)
		}
	}
	if c.MaxClientCnxns < 0 {
		add("maxClientCnxns must not be negative: %d", c.MaxClientCnxns)
	}
	if c.TickTime > 0 {
		lo, hi := c.SessionTimeouts()
		if lo > hi {
			add("minSessionTimeout must not be larger than maxSessionTimeout (%d > %d)", lo, hi)
		}
	}
	if c.ElectionAlg != DefaultElectionAlg {
		add("invalid electionAlg value %d; only 3 is supported", c.ElectionAlg)
	}
	if c.AutopurgeSnapRetainCount < MinSnapRetainCount {
		add("autopurge.snapRetainCount must be at least %d: %d", MinSnapRetainCount, c.AutopurgeSnapRetainCount)
	}
	if c.AutopurgePurgeInterval < 0 {
		add("autopurge.purgeInterval must not be negative: %d", c.AutopurgePurgeInterval)
	}
	if c.SnapCount < MinSnapCount {
		add("snapCount must be at least %d: %d", MinSnapCount, c.SnapCount)
	}
	if c.JuteMaxBuffer <= 0 {
		add("jute.maxbuffer must be positive: %d", c.JuteMaxBuffer)
	}
	if c.Admin.Enabled {
		checkPort("admin.serverPort", c.Admin.ServerPort)
	}
	if c.Metrics.HTTPPort < 0 || c.Metrics.HTTPPort > 65535 {
		add("metricsProvider.httpPort out of range: %d", c.Metrics.HTTPPort)
	}
	errs = append(errs, c.validateServers()...)
	return errors.Join(errs...)
}

func (c *Config) validateServers() []error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: "+format, args...))
	}
	seen := map[int64]bool{}
	for _, s := range c.Servers {
		if seen[s.ID] {
			add("server.%d is listed twice", s.ID)
		}
		seen[s.ID] = true
		if len(s.Addresses) == 0 {
			add("server.%d has no address", s.ID)
		}
		if len(s.Addresses) > 1 && !c.MultiAddressEnabled {
			add("multiple address feature is disabled, but multiple addresses were specified for sid %d", s.ID)
		}
		for _, a := range s.Addresses {
			if a.Host == "" {
				add("server.%d has an empty host", s.ID)
			}
			if a.QuorumPort <= 0 || a.QuorumPort > 65535 || a.ElectionPort <= 0 || a.ElectionPort > 65535 {
				add("server.%d: port out of range in %s:%d:%d", s.ID, a.Host, a.QuorumPort, a.ElectionPort)
			}
			if a.QuorumPort == a.ElectionPort {
				add("server.%d: quorum port and election port must be different (%d)", s.ID, a.QuorumPort)
			}
		}
		if s.ClientPort < 0 || s.ClientPort > 65535 {
			add("server.%d: client port out of range: %d", s.ID, s.ClientPort)
		}
	}
	participants, observers := len(c.Participants()), len(c.Observers())
	if len(c.Servers) > 0 || !c.StandaloneEnabled {
		switch {
		case participants == 0 && !c.StandaloneEnabled:
			add("standaloneEnabled = false then number of participants should be >0")
		case participants == 0 && observers > 0:
			add("observers w/o participants is an invalid configuration")
		case participants == 1 && c.StandaloneEnabled && observers > 0:
			add("observers w/o quorum is an invalid configuration")
		}
	}
	if c.IsStandalone() {
		return errs
	}
	if c.InitLimit <= 0 {
		add("initLimit is not set")
	}
	if c.SyncLimit <= 0 {
		add("syncLimit is not set")
	}
	if c.MyID == UnsetServerID {
		add("myid file is missing")
	} else if _, ok := c.Server(c.MyID); !ok {
		add("my id %d not in the peer list", c.MyID)
	}
	return errs
}

// validHost accepts what InetAddress.getByName could plausibly resolve: an
// IP literal (IPv6 with or without brackets) or a DNS-style name. It does
// not resolve anything.
func validHost(h string) bool {
	if len(h) > 2 && h[0] == '[' && h[len(h)-1] == ']' {
		h = h[1 : len(h)-1]
	}
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) == 0 || len(h) > 253 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c == '.' || c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
