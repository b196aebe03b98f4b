package config

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestDefault(t *testing.T) {
	c := Default()
	checks := []struct {
		name      string
		got, want any
	}{
		{"TickTime", c.TickTime, 3000},
		{"MaxClientCnxns", c.MaxClientCnxns, 60},
		{"MinSessionTimeout", c.MinSessionTimeout, UnsetSessionTimeout},
		{"ClientPortListenBacklog", c.ClientPortListenBacklog, -1},
		{"StandaloneEnabled", c.StandaloneEnabled, true},
		{"ReconfigEnabled", c.ReconfigEnabled, false},
		{"AutopurgeSnapRetainCount", c.AutopurgeSnapRetainCount, 3},
		{"AutopurgePurgeInterval", c.AutopurgePurgeInterval, 0},
		{"SnapCount", c.SnapCount, 100000},
		{"GlobalOutstandingLimit", c.GlobalOutstandingLimit, 1000},
		{"JuteMaxBuffer", c.JuteMaxBuffer, 0xfffff},
		{"DigestAuthEnabled", c.DigestAuthEnabled, true},
		{"SkipACL", c.SkipACL, false},
		{"ContainerCheckInterval", c.ContainerCheckInterval, time.Minute},
		{"ContainerMaxPerMinute", c.ContainerMaxPerMinute, 10000},
		{"ContainerMaxNeverUsedInterval", c.ContainerMaxNeverUsedInterval, time.Duration(0)},
		{"SessionlessCnxnTimeout", c.SessionlessCnxnTimeout, 10 * time.Second},
		{"Admin", c.Admin, AdminConfig{Enabled: true, ServerAddress: "0.0.0.0", ServerPort: 8080, CommandURL: "/commands", IdleTimeout: 30 * time.Second}},
		{"Metrics.ClassName", c.Metrics.ClassName, DefaultMetricsProviderClassName},
		{"Metrics.HTTPPort", c.Metrics.HTTPPort, 7000},
		{"MyID", c.MyID, UnsetServerID},
		{"4lw", strings.Join(c.FourLetterWords.List(), ","), "srvr"},
		{"IsStandalone", c.IsStandalone(), true},
	}
	for _, ck := range checks {
		t.Run(ck.name, func(t *testing.T) {
			if ck.got != ck.want {
				t.Errorf("got %v, want %v", ck.got, ck.want)
			}
		})
	}
	lo, hi := c.SessionTimeouts()
	if lo != 6000 || hi != 60000 {
		t.Errorf("SessionTimeouts = %d, %d", lo, hi)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "dataDir is not set") {
		t.Errorf("Validate = %v", err)
	}
}

func TestDefaultStandalone(t *testing.T) {
	c := DefaultStandalone("/var/lib/raftzk")
	if c.TickTime != 2000 || c.ClientPort != 2181 || c.DataDir != "/var/lib/raftzk" || c.LogDir() != "/var/lib/raftzk" ||
		c.MinSessionTimeout != 4000 || c.MaxSessionTimeout != 40000 || !c.IsStandalone() {
		t.Errorf("DefaultStandalone = %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	// It must equal parsing the sample config's active lines.
	p, _ := mustParse(t, "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/var/lib/raftzk\nclientPort=2181\n")
	p.Source, p.fileLines = "", nil
	if summarize(p).TickTime != summarize(c).TickTime || p.MinSessionTimeout != c.MinSessionTimeout ||
		p.InitLimit != c.InitLimit || p.SyncLimit != c.SyncLimit {
		t.Errorf("parsed sample %+v differs from DefaultStandalone %+v", p, c)
	}
}

func TestIsStandalone(t *testing.T) {
	p := func(id int64) Server { return Server{ID: id, Addresses: []ServerAddress{{"h", 1, 2}}} }
	o := func(id int64) Server { s := p(id); s.Type = Observer; return s }
	tests := []struct {
		name              string
		servers           []Server
		standaloneEnabled bool
		want              bool
	}{
		{"no servers", nil, true, true},
		{"one participant", []Server{p(1)}, true, true},
		{"one participant, standalone disabled", []Server{p(1)}, false, false},
		{"two participants", []Server{p(1), p(2)}, true, false},
		{"three participants", []Server{p(1), p(2), p(3)}, true, false},
		{"one participant one observer", []Server{p(1), o(2)}, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.Servers, c.StandaloneEnabled = tc.servers, tc.standaloneEnabled
			if got := c.IsStandalone(); got != tc.want {
				t.Errorf("IsStandalone = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	ensemble := func(c *Config) {
		c.InitLimit, c.SyncLimit, c.MyID = 10, 5, 1
		for id := int64(1); id <= 3; id++ {
			c.Servers = append(c.Servers, Server{ID: id, Addresses: []ServerAddress{{"h", 2888, 3888}}})
		}
	}
	tests := []struct {
		name   string
		modify func(c *Config)
		want   string // "" = valid
	}{
		{"valid standalone", func(c *Config) {}, ""},
		{"valid ensemble", ensemble, ""},
		{"tickTime zero", func(c *Config) { c.TickTime = 0 }, "tickTime is not set"},
		{"dataDir missing", func(c *Config) { c.DataDir = "" }, "dataDir is not set"},
		{"clientPort range", func(c *Config) { c.ClientPort = 70000 }, "clientPort out of range"},
		{"secureClientPort range", func(c *Config) { c.SecureClientPort = -1 }, "secureClientPort out of range"},
		{"clientPortAddress without clientPort", func(c *Config) { c.ClientPort = 0; c.ClientPortAddress = "127.0.0.1" },
			"clientPortAddress is set but clientPort is not set"},
		{"secureClientPortAddress without port", func(c *Config) { c.SecureClientPortAddress = "127.0.0.1" },
			"secureClientPortAddress is set but secureClientPort is not set"},
		{"bad clientPortAddress", func(c *Config) { c.ClientPortAddress = "not a host" }, "not a host name or IP address"},
		{"maxClientCnxns negative", func(c *Config) { c.MaxClientCnxns = -1 }, "maxClientCnxns must not be negative"},
		{"min > max session timeout", func(c *Config) { c.MinSessionTimeout, c.MaxSessionTimeout = 5000, 4000 },
			"minSessionTimeout must not be larger than maxSessionTimeout"},
		{"derived min > explicit max", func(c *Config) { c.MinSessionTimeout, c.MaxSessionTimeout = UnsetSessionTimeout, 1000 },
			"minSessionTimeout must not be larger"},
		{"electionAlg", func(c *Config) { c.ElectionAlg = 1 }, "only 3 is supported"},
		{"snapRetainCount", func(c *Config) { c.AutopurgeSnapRetainCount = 2 }, "autopurge.snapRetainCount must be at least 3"},
		{"purgeInterval", func(c *Config) { c.AutopurgePurgeInterval = -1 }, "autopurge.purgeInterval must not be negative"},
		{"snapCount", func(c *Config) { c.SnapCount = 1 }, "snapCount must be at least 2"},
		{"jute.maxbuffer", func(c *Config) { c.JuteMaxBuffer = -1 }, "jute.maxbuffer must be positive"},
		{"admin port", func(c *Config) { c.Admin.ServerPort = 65536 }, "admin.serverPort out of range"},
		{"admin port ignored when disabled", func(c *Config) { c.Admin.ServerPort = 65536; c.Admin.Enabled = false }, ""},
		{"metrics port", func(c *Config) { c.Metrics.HTTPPort = -5 }, "metricsProvider.httpPort out of range"},
		{"duplicate server", func(c *Config) { ensemble(c); c.Servers = append(c.Servers, c.Servers[0]) }, "server.1 is listed twice"},
		{"server without address", func(c *Config) { ensemble(c); c.Servers[1].Addresses = nil }, "server.2 has no address"},
		{"server empty host", func(c *Config) { ensemble(c); c.Servers[1].Addresses[0].Host = "" }, "server.2 has an empty host"},
		{"quorum port == election port", func(c *Config) { ensemble(c); c.Servers[2].Addresses[0].ElectionPort = 2888 },
			"quorum port and election port must be different"},
		{"server port range", func(c *Config) { ensemble(c); c.Servers[2].Addresses[0].QuorumPort = 0 }, "port out of range"},
		{"server client port range", func(c *Config) { ensemble(c); c.Servers[2].ClientPort = 65536 }, "client port out of range"},
		{"multi address disabled", func(c *Config) {
			ensemble(c)
			c.Servers[0].Addresses = append(c.Servers[0].Addresses, ServerAddress{"g", 2888, 3888})
		}, "multiple address feature is disabled"},
		{"multi address enabled", func(c *Config) {
			ensemble(c)
			c.MultiAddressEnabled = true
			c.Servers[0].Addresses = append(c.Servers[0].Addresses, ServerAddress{"g", 2888, 3888})
		}, ""},
		{"standalone disabled without participants", func(c *Config) { c.StandaloneEnabled = false },
			"standaloneEnabled = false then number of participants should be >0"},
		{"observers without participants", func(c *Config) {
			c.Servers = []Server{{ID: 1, Addresses: []ServerAddress{{"h", 1, 2}}, Type: Observer}}
		}, "observers w/o participants"},
		{"observers with one participant", func(c *Config) {
			c.Servers = []Server{{ID: 1, Addresses: []ServerAddress{{"h", 1, 2}}}, {ID: 2, Addresses: []ServerAddress{{"h", 1, 2}}, Type: Observer}}
		}, "observers w/o quorum"},
		{"initLimit", func(c *Config) { ensemble(c); c.InitLimit = 0 }, "initLimit is not set"},
		{"syncLimit", func(c *Config) { ensemble(c); c.SyncLimit = 0 }, "syncLimit is not set"},
		{"myid missing", func(c *Config) { ensemble(c); c.MyID = UnsetServerID }, "myid file is missing"},
		{"myid not listed", func(c *Config) { ensemble(c); c.MyID = 9 }, "my id 9 not in the peer list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultStandalone("/data")
			tc.modify(c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestValidate_ReportsAll(t *testing.T) {
	c := Default()
	c.TickTime = 0
	c.ClientPort = 0
	c.ClientPortAddress = "127.0.0.1"
	err := c.Validate()
	for _, want := range []string{"tickTime", "dataDir", "clientPortAddress"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, missing %q", err, want)
		}
	}
}

func TestWarningAndErrorStrings(t *testing.T) {
	w := Warning{File: "zoo.cfg", Line: 3, Key: "foo", Kind: WarnUnknown, Reason: "why"}
	if got := w.String(); got != "zoo.cfg:3: foo: unknown: why" {
		t.Errorf("Warning.String = %q", got)
	}
	if got := (Warning{Key: "k", Kind: WarnNotUsed, Reason: "r"}).String(); got != "k: accepted, not used: r" {
		t.Errorf("Warning.String = %q", got)
	}
	e := &ParseError{File: "zoo.cfg", Line: 2, Key: "clientPort", Err: bytes.ErrTooLarge}
	if got := e.Error(); !strings.HasPrefix(got, "config: zoo.cfg:2: clientPort: ") {
		t.Errorf("ParseError.Error = %q", got)
	}
	for _, k := range []WarningKind{WarnUnknown, WarnNotUsed, WarnIneffective, WarnNotice, 99} {
		if k.String() == "" {
			t.Errorf("empty String for %d", int(k))
		}
	}
}
