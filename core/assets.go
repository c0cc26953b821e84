package core

import "github.com/ferry-run/ferry/core/assets"

// Assets returns the Worker's static assets (nil when it has none). Hosts ask
// them first (assets.Server.Route) and dispatch a fetch event only when the
// assets leave the request to the Worker.
func (w *Worker) Assets() *assets.Server { return w.opts.Env.Assets }
