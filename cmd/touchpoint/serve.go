package main

import (
	"context"
	"io"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr, "serve --data DIR --addr HOST:PORT")
	config := commonFlags(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("serve", rest); err != nil {
		return err
	}
	cfg, err := config()
	if err != nil {
		return err
	}
	logger := cfg.logger(stderr)
	n, err := openNode(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		if err := n.close(); err != nil {
			logger.Error("close", "err", err)
		}
		logger.Info("stopped")
	}()
	if err := n.startConsumers(ctx); err != nil {
		return err
	}
	return n.serve(ctx, cfg.Addr, nil)
}
