package deps

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/dop251/goja"
	_ "github.com/dop251/goja/parser"
	_ "github.com/evanw/esbuild/pkg/api"
	_ "github.com/fsnotify/fsnotify"
	_ "github.com/go-sourcemap/sourcemap"
	_ "github.com/nlnwa/whatwg-url/url"
	_ "github.com/robfig/cron/v3"
	_ "github.com/tailscale/hujson"
	_ "go.uber.org/goleak"
	_ "golang.org/x/text/encoding/htmlindex"
)
