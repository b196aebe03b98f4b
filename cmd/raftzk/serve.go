package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/raftzk/raftzk/quorum"
	"github.com/raftzk/raftzk/server"
	"github.com/raftzk/raftzk/server/config"
	"github.com/urfave/cli/v2"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "run a server (standalone unless zoo.cfg lists an ensemble)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Aliases: []string{"c"}, Usage: "Apache ZooKeeper zoo.cfg"},
			&cli.StringFlag{Name: "data-dir", Value: "data", Usage: "data directory when no --config is given"},
			&cli.StringSliceFlag{Name: "property", Usage: "system property key=value (also -Dkey=value; JVMFLAGS and SERVER_JVMFLAGS are read too)"},
			&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error"},
			&cli.BoolFlag{Name: "join", Usage: "join a running ensemble: wait to be added with reconfig instead of bootstrapping a new one"},
			&cli.StringFlag{Name: "cpuprofile", Usage: "write a Go CPU profile of the whole run to `FILE` (for go tool pprof)"},
		},
		Action: serve,
	}
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("bad --log-level %q", level)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}

// loadConfig reads zoo.cfg (or the default standalone config) and layers the
// system properties over it: zoo.cfg-derived < JVMFLAGS < SERVER_JVMFLAGS < flags.
func loadConfig(ctx *cli.Context, log *slog.Logger) (*config.Config, error) {
	var cfg *config.Config
	var warnings []config.Warning
	if path := ctx.String("config"); path != "" {
		var err error
		cfg, warnings, err = config.Load(path)
		if err != nil {
			return nil, err
		}
	} else {
		dir, err := filepath.Abs(ctx.String("data-dir"))
		if err != nil {
			return nil, err
		}
		cfg = config.DefaultStandalone(dir)
	}
	flags := config.Properties{}
	for _, kv := range ctx.StringSlice("property") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("property %q is not key=value", kv)
		}
		flags[k] = v
	}
	props := config.Merge(cfg.FileProperties,
		config.ParseJVMFlags(os.Getenv("JVMFLAGS")),
		config.ParseJVMFlags(os.Getenv("SERVER_JVMFLAGS")),
		flags)
	warnings = append(warnings, cfg.ApplyProperties(props)...)
	for _, w := range warnings {
		log.Warn("config", "warning", w.String())
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// ensemble is what an ensemble member needs beyond a standalone server.
type ensemble struct {
	self      config.Server
	peers     []quorum.Peer
	peerAddrs map[uint64]string // id → election (server-to-server) address
	configTxt []byte            // /zookeeper/config
}

func newEnsemble(cfg *config.Config) (*ensemble, error) {
	self, ok := cfg.Server(cfg.MyID)
	if !ok {
		return nil, fmt.Errorf("myid %d has no server.%d line", cfg.MyID, cfg.MyID)
	}
	e := &ensemble{self: self, peerAddrs: map[uint64]string{}}
	var txt strings.Builder
	for _, sv := range cfg.Servers {
		a := sv.Addresses[0]
		e.peers = append(e.peers, quorum.Peer{
			ID:    uint64(sv.ID),
			Addr:  net.JoinHostPort(a.Host, strconv.Itoa(a.QuorumPort)),
			Voter: sv.Type == config.Participant,
		})
		e.peerAddrs[uint64(sv.ID)] = net.JoinHostPort(a.Host, strconv.Itoa(a.ElectionPort))
		fmt.Fprintf(&txt, "server.%d=%s\n", sv.ID, sv.String())
	}
	fmt.Fprintf(&txt, "version=%x", cfg.ConfigVersion)
	e.configTxt = []byte(txt.String())
	return e, nil
}

// propCommitTimeout (milliseconds) sets raft's commit timeout of an ensemble
// member; see serve.
const propCommitTimeout = "raftzk.commitTimeoutMs"

func serve(ctx *cli.Context) error {
	log, err := newLogger(ctx.String("log-level"))
	if err != nil {
		return err
	}
	if path := ctx.String("cpuprofile"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	cfg, err := loadConfig(ctx, log)
	if err != nil {
		return err
	}
	var ens *ensemble
	serverID := int64(1)
	clientHost, clientPort := cfg.ClientPortAddress, cfg.ClientPort
	if !cfg.IsStandalone() {
		if ens, err = newEnsemble(cfg); err != nil {
			return err
		}
		serverID = cfg.MyID
		if ens.self.ClientPort != 0 {
			clientHost, clientPort = ens.self.ClientHost, ens.self.ClientPort
		}
	}
	minTO, maxTO := cfg.SessionTimeouts()
	tick := time.Duration(cfg.TickTime) * time.Millisecond
	opts := server.Options{
		Logger:                 log,
		ServerID:               serverID,
		TickTime:               tick,
		MinSessionTimeout:      time.Duration(minTO) * time.Millisecond,
		MaxSessionTimeout:      time.Duration(maxTO) * time.Millisecond,
		MaxClientCnxns:         cfg.MaxClientCnxns,
		MaxBuffer:              cfg.JuteMaxBuffer,
		ExtendedTypes:          cfg.ExtendedTypesEnabled,
		SkipACL:                cfg.SkipACL,
		SuperDigest:            cfg.SuperDigest,
		DigestDisabled:         !cfg.DigestAuthEnabled,
		FourLetterWords:        cfg.FourLetterWords,
		ReconfigEnabled:        cfg.ReconfigEnabled,
		ContainerCheckInterval: cfg.ContainerCheckInterval,
		ContainerMaxPerMinute:  cfg.ContainerMaxPerMinute,
		ContainerMaxNeverUsed:  cfg.ContainerMaxNeverUsedInterval,
		ClientPort:             clientPort,
		DataDir:                cfg.DataDir,
		DataLogDir:             cfg.LogDir(),
	}
	if ens != nil {
		opts.Ensemble = true
		opts.Observer = ens.self.Type == config.Observer
		opts.ConfigData = ens.configTxt
		opts.ReadOnlyMode = cfg.ReadOnlyModeEnabled
	}
	srv, err := server.New(opts)
	if err != nil {
		return err
	}

	qcfg := quorum.DefaultConfig()
	qcfg.ServerID = uint64(serverID)
	qcfg.Dir = filepath.Join(cfg.DataDir, "raftzk")
	qcfg.Logger = log
	if cfg.SnapCount > 0 {
		// snapCount: a snapshot every snapCount transactions, and as many
		// kept in the log behind it; a follower further behind than that
		// catches up from a snapshot.
		qcfg.SnapshotThreshold = uint64(cfg.SnapCount)
		qcfg.TrailingLogs = uint64(cfg.SnapCount)
	}
	// autopurge.snapRetainCount: old snapshots (and the log they cover) are
	// purged as new ones are taken.
	qcfg.SnapshotRetain = cfg.AutopurgeSnapRetainCount
	if ens != nil {
		qcfg.Peers = ens.peers
		a := ens.self.Addresses[0]
		qcfg.BindAddr = net.JoinHostPort(a.Host, strconv.Itoa(a.QuorumPort))
		qcfg.Join = ctx.Bool("join")
		// ZooKeeper's timeouts are in ticks; Raft's follow the tick: a
		// quarter tick (500 ms at the usual 2000), never below 250 ms so a
		// loaded machine does not hold spurious elections.
		rt := max(tick/4, 250*time.Millisecond)
		qcfg.HeartbeatTimeout = rt
		qcfg.ElectionTimeout = rt
		qcfg.LeaderLeaseTimeout = rt / 2
		// How long raft lets a follower go without hearing the commit index
		// when nothing else is sent; the leader announces commits itself
		// (and followers learn those of their forwarded writes), so this is
		// only a backstop. Tests set it very long to prove that.
		if ms, ok := cfg.Properties.Long(propCommitTimeout, 0); ok && ms > 0 {
			qcfg.CommitTimeout = time.Duration(ms) * time.Millisecond
		} else if !ok {
			log.Warn("config", "warning", fmt.Sprintf("%s: invalid value %q, using the default", propCommitTimeout, cfg.Properties[propCommitTimeout]))
		}
	}
	if err := os.MkdirAll(qcfg.Dir, 0o755); err != nil {
		return err
	}
	node, err := quorum.Open(qcfg, srv.StateMachine())
	if err != nil {
		return fmt.Errorf("open data dir %s: %w", qcfg.Dir, err)
	}
	var closers []func()
	if ens != nil {
		p := server.NewEnsembleProposer(srv, node, ens.peerAddrs)
		srv.Start(p)
		pl, err := net.Listen("tcp", ens.peerAddrs[uint64(serverID)])
		if err != nil {
			srv.Close()
			p.Close()
			node.Close()
			return err
		}
		go p.ServePeers(pl)
		closers = append(closers, p.Close)
	} else {
		srv.Start(server.QuorumProposer(node))
	}

	addr := net.JoinHostPort(clientHost, strconv.Itoa(clientPort))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		srv.Close()
		for _, c := range closers {
			c()
		}
		node.Close()
		return err
	}
	log.Info("serving", "addr", l.Addr().String(), "data_dir", cfg.DataDir, "zxid", fmt.Sprintf("0x%x", srv.LastZxid()), "server_id", serverID, "ensemble", ens != nil)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case sig := <-sigs:
		log.Info("shutting down", "signal", sig.String())
	case err = <-errc:
		log.Error("listener failed", "err", err)
	}
	srv.Close()
	for _, c := range closers {
		c()
	}
	if cerr := node.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}
