package deps
import (
 _ "github.com/dop251/goja"
 _ "github.com/dop251/goja/parser"
 _ "github.com/evanw/esbuild/pkg/api"
 _ "github.com/BurntSushi/toml"
 _ "github.com/tailscale/hujson"
 _ "github.com/robfig/cron/v3"
 _ "github.com/fsnotify/fsnotify"
 _ "go.uber.org/goleak"
 _ "github.com/nlnwa/whatwg-url/url"
 _ "golang.org/x/text/encoding/htmlindex"
 _ "github.com/go-sourcemap/sourcemap"
)
