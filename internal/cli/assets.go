package cli

import (
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/ferry-run/ferry/core/assets"
	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/core/env"
)

// loadAssets reads the config's assets directory into spec (nothing when the
// config has no assets table). Each build loads it again, so a dev reload
// serves the files as they are now.
func loadAssets(cfg *config.Worker, spec *env.Spec, log *slog.Logger) error {
	if cfg == nil || cfg.Assets == nil {
		return nil
	}
	s, err := assets.Load(cfg.Assets.Directory, assets.FromConfig(cfg))
	if err != nil {
		return fmt.Errorf("assets.directory %s: %w", cfg.Assets.Directory, err)
	}
	for _, w := range s.Warnings() {
		log.Warn(w)
	}
	spec.Assets = s
	spec.AssetsBinding = cfg.Assets.Binding
	return nil
}

// assetDirs returns one path inside each directory of the config's assets
// (the watcher watches the directories of the files it is given), and
// whether name is under the assets directory.
func assetDirs(cfg *config.Worker) (dirs []string, under func(name string) bool) {
	under = func(string) bool { return false }
	if cfg == nil || cfg.Assets == nil {
		return nil, under
	}
	root := cfg.Assets.Directory
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, filepath.Join(p, "_")) // add() watches filepath.Dir
		}
		return nil
	})
	prefix := root + string(filepath.Separator)
	return dirs, func(name string) bool { return strings.HasPrefix(name, prefix) || name == root }
}
