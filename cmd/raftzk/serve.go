package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
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
	if !cfg.IsStandalone() {
		return nil, errors.New("ensembles (server.N lines) are not supported yet; run standalone")
	}
	return cfg, nil
}

func serve(ctx *cli.Context) error {
	log, err := newLogger(ctx.String("log-level"))
	if err != nil {
		return err
	}
	cfg, err := loadConfig(ctx, log)
	if err != nil {
		return err
	}
	minTO, maxTO := cfg.SessionTimeouts()
	tick := time.Duration(cfg.TickTime) * time.Millisecond
	srv := server.New(server.Options{
		Logger:                 log,
		ServerID:               1,
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
		ClientPort:             cfg.ClientPort,
		DataDir:                cfg.DataDir,
		DataLogDir:             cfg.LogDir(),
	})

	qcfg := quorum.DefaultConfig()
	qcfg.ServerID = 1
	qcfg.Dir = filepath.Join(cfg.DataDir, "raftzk")
	qcfg.Logger = log
	if cfg.SnapCount > 0 {
		qcfg.SnapshotThreshold = uint64(cfg.SnapCount)
	}
	if err := os.MkdirAll(qcfg.Dir, 0o755); err != nil {
		return err
	}
	node, err := quorum.Open(qcfg, srv.StateMachine())
	if err != nil {
		return fmt.Errorf("open data dir %s: %w", qcfg.Dir, err)
	}
	srv.Start(server.QuorumProposer(node))

	addr := net.JoinHostPort(cfg.ClientPortAddress, strconv.Itoa(cfg.ClientPort))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		srv.Close()
		node.Close()
		return err
	}
	log.Info("serving", "addr", l.Addr().String(), "data_dir", cfg.DataDir, "zxid", fmt.Sprintf("0x%x", srv.LastZxid()))

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
	if cerr := node.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}
