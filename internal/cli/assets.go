package cli

import (
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/ferry-run/ferry/core/config"
)

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
