package core

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/do"
	"github.com/ferry-run/ferry/core/env"
	"github.com/ferry-run/ferry/core/script"
	"github.com/ferry-run/ferry/core/webapi/clone"
)

// Durable Objects.
//
// Each object lives in exactly one runtime of the pool: the slot its id
// hashes to (FNV-1a over the pool size). All of its events — fetches, RPC
// calls, alarms — run on that runtime's loop, one task at a time, so the
// object's JS state needs no locking and its storage calls (synchronous on
// the loop, see env.NewObjectState) are its input and output gates. Hashing
// rather than a table of live objects costs nothing to look up, needs no
// coordination between runtimes, and keeps an object on the same slot when a
// condemned runtime is replaced (the object is then re-created, as Cloudflare
// re-creates an object after an isolate reset). Objects spread over the pool
// as ids are random; a hot object occupies one runtime, as on Cloudflare,
// where one object is single-threaded.
//
// An object is constructed (new Class(ctx, env)) by its first event and stays
// until the Worker closes (a reload re-creates it on the new version).
// ctx.blockConcurrencyWhile and storage.transaction close the object's gate:
// events that arrive meanwhile wait off the loop and are sent again once it
// opens (dispatchOn).
//
// Alarms: setAlarm stores the time and arms a timer; when it fires the alarm
// is deleted from storage and alarm({retryCount, isRetry}) runs. If it
// throws, it is retried with exponential backoff from 2 s, at most 6 times,
// as Cloudflare does; a retry is stored like any alarm, so it survives a
// restart. Alarms stored by a previous run are scheduled when the Worker
// starts.

// objectKey names one Durable Object.
type objectKey struct{ class, id string }

// objectClass is a Durable Object class the Worker hosts.
type objectClass struct {
	name      string
	namespace string
}

// Alarm retries, as Cloudflare documents them.
const (
	alarmMaxRetries = 6
	alarmFirstRetry = 2 * time.Second
)

// errGated tells dispatchOn that the object's gate is closed; it is never
// returned to callers.
var errGated = fmt.Errorf("core: the Durable Object is blocked")

// objectGate is closed while an object runs blockConcurrencyWhile (or a
// transaction). It is shared by every version of the Worker's runtimes and
// read off the loop by waiting events.
type objectGate struct {
	mu      sync.Mutex
	blocked int
	open    chan struct{} // closed when blocked returns to 0
	onOpen  []func()      // loop callbacks run when it opens
}

func (g *objectGate) block() {
	g.mu.Lock()
	if g.blocked == 0 {
		g.open = make(chan struct{})
	}
	g.blocked++
	g.mu.Unlock()
}

// unblock runs on the loop; callbacks waiting in onOpen run there too.
func (g *objectGate) unblock() {
	g.mu.Lock()
	g.blocked--
	var run []func()
	if g.blocked == 0 {
		close(g.open)
		run, g.onOpen = g.onOpen, nil
	}
	g.mu.Unlock()
	for _, f := range run {
		f()
	}
}

func (g *objectGate) isBlocked() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.blocked > 0
}

// wait returns once the gate is open.
func (g *objectGate) wait(ctx context.Context) error {
	g.mu.Lock()
	if g.blocked == 0 {
		g.mu.Unlock()
		return nil
	}
	ch := g.open
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return &ScriptError{Kind: "canceled", Message: "the caller went away while the Durable Object was blocked: " + ctx.Err().Error()}
	}
}

// object is one live Durable Object on one runtime (loop goroutine only).
type object struct {
	r       *rt
	key     objectKey
	class   *objectClass
	ctor    *goja.Object
	inst    *goja.Object
	storage do.Storage
	gate    *objectGate
	dropped bool
}

// setupObjects registers the classes the Worker hosts and routes its own
// durable_objects bindings to itself. It runs before the runtimes start.
func (w *Worker) setupObjects() error {
	w.classes = map[string]*objectClass{}
	for class, ns := range w.opts.DurableObjects {
		w.classes[class] = &objectClass{name: class, namespace: ns}
	}
	for _, b := range w.opts.Env.DurableObjects {
		if b.Objects != nil {
			continue
		}
		b.Objects = w
		if c, ok := w.classes[b.Class]; ok && c.namespace != b.Namespace {
			return fmt.Errorf("durable_objects: class %s is bound with two namespaces (%s, %s)", b.Class, c.namespace, b.Namespace)
		}
		w.classes[b.Class] = &objectClass{name: b.Class, namespace: b.Namespace}
	}
	if len(w.classes) > 0 && w.format == script.ServiceWorkerFormat {
		return fmt.Errorf("Durable Object classes (%s) need an ES module Worker (export class ... extends DurableObject); this script uses addEventListener", strings.Join(w.classNames(), ", "))
	}
	if len(w.classes) > 0 && w.opts.ObjectStore == nil {
		return fmt.Errorf("the Worker hosts Durable Objects (%s) but this host has no Durable Object storage", strings.Join(w.classNames(), ", "))
	}
	w.alarms = &alarmTimers{timers: map[objectKey]*time.Timer{}, retries: map[objectKey]int{}}
	return nil
}

func (w *Worker) classNames() []string {
	var out []string
	for c := range w.classes {
		out = append(out, c)
	}
	return out
}

// checkObjectClasses fails start-up when a hosted class is not exported.
func (r *rt) checkObjectClasses() error {
	for name := range r.w.classes {
		v := r.module.Get(name)
		obj, ok := v.(*goja.Object)
		if _, isFn := goja.AssertFunction(v); !ok || !isFn || obj.Get("prototype") == nil {
			return fmt.Errorf("durable_objects: the Worker does not export a class named %q; export it from the main module, e.g. `export class %s extends DurableObject { ... }`", name, name)
		}
	}
	return nil
}

// HasExport reports whether the Worker's main module exports name (a named
// entrypoint of a service binding).
func (w *Worker) HasExport(name string) bool {
	r := w.runtimes[0].Load()
	if r == nil || r.module == nil {
		return false
	}
	v := r.module.Get(name)
	return v != nil && !goja.IsUndefined(v)
}

// scheduleStoredAlarms arms the alarms a previous run stored.
func (w *Worker) scheduleStoredAlarms() error {
	for _, c := range w.classes {
		alarms, err := w.opts.ObjectStore.Alarms(context.Background(), c.namespace)
		if err != nil {
			return fmt.Errorf("reading the alarms of Durable Object class %s: %w", c.name, err)
		}
		for _, a := range alarms {
			w.scheduleAlarm(objectKey{c.name, a.ID}, a.At)
		}
	}
	return nil
}

func (w *Worker) gateFor(k objectKey) *objectGate {
	v, _ := w.gates.LoadOrStore(k, &objectGate{})
	return v.(*objectGate)
}

func (w *Worker) slot(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(len(w.runtimes)))
}

// Object implements env.ObjectRouter.
func (w *Worker) Object(class, id, name string) env.Service {
	return &objectRef{w: w, key: objectKey{class, id}, name: name}
}

// objectRef is a stub's target: one object of a class this Worker hosts.
type objectRef struct {
	w    *Worker
	key  objectKey
	name string
}

var _ env.Service = (*objectRef)(nil)

// send dispatches one event to the object: run is called on its runtime
// with the live object once the object's gate is open.
func (o *objectRef) send(ctx context.Context, kind string, run func(inv *invocation, obj *object) (goja.Value, error), convert func(goja.Value) (any, error)) (any, <-chan struct{}, error) {
	w := o.w
	cls := w.classes[o.key.class]
	if cls == nil {
		return nil, nil, fmt.Errorf("the Worker does not host Durable Object class %q", o.key.class)
	}
	slot := w.slot(o.key.id)
	gate := w.gateFor(o.key)
	return w.dispatchOn(ctx, func() *rt { return w.runtimes[slot].Load() }, gate, kind, func(inv *invocation, vm *goja.Runtime) (goja.Value, error) {
		if gate.isBlocked() {
			return nil, errGated
		}
		obj, created, err := inv.r.object(inv, cls, o.key, o.name, gate)
		if err != nil {
			return nil, err
		}
		if created && gate.isBlocked() {
			// The constructor called blockConcurrencyWhile: this event,
			// whose scope runs that work, waits for it in place.
			p, resolve, reject := vm.NewPromise()
			gate.mu.Lock()
			gate.onOpen = append(gate.onOpen, func() {
				v, err := run(inv, obj)
				if err != nil {
					_ = reject(errorValue(vm, err))
					return
				}
				_ = resolve(v)
			})
			gate.mu.Unlock()
			return vm.ToValue(p), nil
		}
		return run(inv, obj)
	}, convert)
}

// object returns the live object for key on r, constructing it when needed.
func (r *rt) object(inv *invocation, cls *objectClass, key objectKey, name string, gate *objectGate) (*object, bool, error) {
	if o := r.objects[key]; o != nil {
		return o, false, nil
	}
	vm := r.vm
	ctor, _ := r.module.Get(cls.name).(*goja.Object)
	if ctor == nil {
		return nil, false, fmt.Errorf("the Worker does not export Durable Object class %q", cls.name)
	}
	st, err := r.w.opts.ObjectStore.Open(inv.context(), cls.namespace, key.id)
	if err != nil {
		return nil, false, err
	}
	o := &object{r: r, key: key, class: cls, ctor: ctor, storage: st, gate: gate}
	state, err := env.NewObjectState(r.loop, env.ObjectState{
		Namespace: cls.namespace,
		ID:        key.id,
		Name:      name,
		Storage:   st,
		WaitUntil: func(p goja.Value) {
			if cur := r.current(); cur != nil {
				cur.waitUntil(p)
			}
		},
		Block:        o.blockConcurrencyWhile,
		AlarmChanged: o.alarmChanged,
	})
	if err != nil {
		st.Close()
		return nil, false, err
	}
	r.objects[key] = o
	inst, err := vm.New(ctor, state, r.env)
	if err != nil {
		delete(r.objects, key)
		st.Close()
		return nil, false, err
	}
	o.inst = inst
	return o, true, nil
}

// blockConcurrencyWhile implements ctx.blockConcurrencyWhile(fn): the gate
// stays closed until fn's promise settles. If fn throws or rejects, the
// object is reset (the next event re-creates it), as on Cloudflare.
func (o *object) blockConcurrencyWhile(fn goja.Value, reset bool) goja.Value {
	vm := o.r.vm
	f, _ := goja.AssertFunction(fn)
	p, resolve, reject := vm.NewPromise()
	o.gate.block()
	v, err := f(goja.Undefined())
	if err != nil {
		if reset {
			o.drop()
		}
		o.gate.unblock()
		_ = reject(errorValue(vm, err))
		return vm.ToValue(p)
	}
	o.r.then(v, func(res goja.Value) {
		o.gate.unblock()
		_ = resolve(res)
	}, func(reason goja.Value) {
		if reset {
			o.drop()
		}
		o.gate.unblock()
		_ = reject(reason)
	})
	return vm.ToValue(p)
}

// alarmChanged is storage's hook for setAlarm (ok) and deleteAlarm.
func (o *object) alarmChanged(ms int64, ok bool) error {
	w := o.r.w
	if !ok {
		w.cancelAlarm(o.key)
		return nil
	}
	proto, _ := o.ctor.Get("prototype").(*goja.Object)
	if proto == nil {
		return &do.Error{Kind: "TypeError", Message: "Your Durable Object class must have an alarm() handler in order to call setAlarm()"}
	}
	if _, isFn := goja.AssertFunction(proto.Get("alarm")); !isFn {
		return &do.Error{Kind: "TypeError", Message: "Your Durable Object class must have an alarm() handler in order to call setAlarm()"}
	}
	w.scheduleAlarm(o.key, time.UnixMilli(ms))
	return nil
}

// drop forgets the object and closes its storage.
func (o *object) drop() {
	if o.dropped {
		return
	}
	o.dropped = true
	if o.r.objects[o.key] == o {
		delete(o.r.objects, o.key)
	}
	_ = o.storage.Close()
}

// dropObjects closes every object of the runtime (loop goroutine).
func (r *rt) dropObjects() {
	for _, o := range r.objects {
		o.drop()
	}
}

// closeObjects closes the objects of every runtime (Worker.Close).
func (w *Worker) closeObjects() {
	for i := range w.runtimes {
		r := w.runtimes[i].Load()
		if r == nil {
			continue
		}
		done := make(chan struct{})
		if r.loop.Submit(nil, func(*goja.Runtime) error { r.dropObjects(); close(done); return nil }) {
			<-done
		}
	}
}

// RoundTrip implements env.Service: stub.fetch(request) calls the object's
// fetch(request).
func (o *objectRef) RoundTrip(req *http.Request) (*http.Response, error) {
	creq := requestFromHTTP(req)
	var inv0 *invocation
	out, done, err := o.send(req.Context(), "fetch", func(inv *invocation, obj *object) (goja.Value, error) {
		inv0 = inv
		h, ok := goja.AssertFunction(obj.inst.Get("fetch"))
		if !ok {
			return nil, &ScriptError{Kind: "type", Message: "TypeError: Handler does not export a fetch() function."}
		}
		return h(obj.inst, inv.r.fetch.NewIncomingRequest(creq.Method, creq.URL, creq.Header, creq.Body, nil))
	}, func(v goja.Value) (any, error) { return convertResponse(inv0, v) })
	if err != nil {
		return nil, err
	}
	res := out.(*Response)
	res.Done = done
	return responseToHTTP(req, res), nil
}

// Call implements env.Service: stub.method(...args).
func (o *objectRef) Call(ctx context.Context, method string, args []byte) ([]byte, error) {
	var r *rt
	out, _, err := o.send(ctx, "rpc", func(inv *invocation, obj *object) (goja.Value, error) {
		r = inv.r
		return r.rpc(obj.inst, method, args)
	}, func(v goja.Value) (any, error) { return r.rpcResult(v) })
	if err != nil {
		return nil, rpcError(err)
	}
	return out.([]byte), nil
}

// alarmTimers are the armed alarms of one Worker.
type alarmTimers struct {
	mu      sync.Mutex
	closed  bool
	timers  map[objectKey]*time.Timer
	retries map[objectKey]int
}

func (w *Worker) scheduleAlarm(k objectKey, at time.Time) {
	a := w.alarms
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	if t := a.timers[k]; t != nil {
		t.Stop()
	}
	a.timers[k] = time.AfterFunc(max(time.Until(at), 0), func() { w.fireAlarm(k) })
}

func (w *Worker) cancelAlarm(k objectKey) {
	a := w.alarms
	a.mu.Lock()
	defer a.mu.Unlock()
	if t := a.timers[k]; t != nil {
		t.Stop()
		delete(a.timers, k)
	}
	delete(a.retries, k)
}

func (w *Worker) stopAlarms() {
	if w.alarms == nil {
		return
	}
	a := w.alarms
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	for k, t := range a.timers {
		t.Stop()
		delete(a.timers, k)
	}
}

// fireAlarm runs the object's alarm() if its stored alarm is (still) due.
func (w *Worker) fireAlarm(k objectKey) {
	a := w.alarms
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	delete(a.timers, k)
	retry := a.retries[k]
	a.mu.Unlock()

	ref := &objectRef{w: w, key: k}
	ctx := WithRequestID(context.Background(), w.newID())
	var st do.Storage
	ran := false
	_, done, err := ref.send(ctx, "alarm", func(inv *invocation, obj *object) (goja.Value, error) {
		st = obj.storage
		at, ok, err := st.Alarm(inv.context())
		if err != nil {
			return nil, err
		}
		if !ok || at.After(time.Now()) {
			return goja.Undefined(), nil // deleted or moved: its own timer fires
		}
		h, isFn := goja.AssertFunction(obj.inst.Get("alarm"))
		if !isFn {
			return nil, &ScriptError{Kind: "type", Message: "TypeError: the Durable Object class has no alarm() handler"}
		}
		if err := st.DeleteAlarm(inv.context()); err != nil {
			return nil, err
		}
		ran = true
		info := inv.r.vm.NewObject()
		_ = info.Set("retryCount", retry)
		_ = info.Set("isRetry", retry > 0)
		return h(obj.inst, info)
	}, func(goja.Value) (any, error) { return nil, nil })
	if done != nil {
		<-done
	}
	if err == nil {
		a.mu.Lock()
		if ran {
			delete(a.retries, k)
		}
		a.mu.Unlock()
		return
	}
	if !ran || st == nil {
		w.log.Error(fmt.Sprintf("Durable Object %s %s: delivering its alarm: %v", k.class, k.id, errorText(err)))
		return
	}
	if retry >= alarmMaxRetries {
		w.log.Error(fmt.Sprintf("Durable Object %s %s: alarm() threw %d times, giving up: %s", k.class, k.id, retry+1, errorText(err)))
		a.mu.Lock()
		delete(a.retries, k)
		a.mu.Unlock()
		return
	}
	if _, set, aerr := st.Alarm(context.Background()); aerr == nil && set {
		// alarm() set a new alarm before it threw: that one stands.
		return
	}
	delay := alarmFirstRetry << retry
	w.log.LogAttrs(context.Background(), slog.LevelWarn, fmt.Sprintf("Durable Object %s %s: alarm() threw, retry %d of %d in %v: %s", k.class, k.id, retry+1, alarmMaxRetries, delay, errorText(err)))
	next := time.Now().Add(delay)
	if err := st.SetAlarm(context.Background(), next); err != nil {
		w.log.Error(fmt.Sprintf("Durable Object %s %s: storing the alarm retry: %v", k.class, k.id, err))
		return
	}
	a.mu.Lock()
	a.retries[k] = retry + 1
	a.mu.Unlock()
	w.scheduleAlarm(k, next)
}

// rpcOutcome is how an RPC method's result or exception reaches rpcResult.
type rpcOutcome struct {
	value  goja.Value
	thrown goja.Value
}

// rpc calls recv[method](...args) and returns a promise for its outcome.
func (r *rt) rpc(recv *goja.Object, method string, args []byte) (goja.Value, error) {
	vm := r.vm
	notImplemented := &ScriptError{Kind: "type", Message: fmt.Sprintf("TypeError: The RPC receiver does not implement the method %q.", method)}
	if method == "constructor" || method == "fetch" || method == "alarm" {
		return nil, notImplemented
	}
	objProto := vm.Get("Object").(*goja.Object).Get("prototype").(*goja.Object)
	if objProto.Get(method) != nil {
		return nil, notImplemented
	}
	fn, ok := goja.AssertFunction(recv.Get(method))
	if !ok {
		return nil, notImplemented
	}
	argv, err := clone.Deserialize(vm, args)
	if err != nil {
		return nil, fmt.Errorf("reading the RPC arguments of %s: %w", method, err)
	}
	arr := argv.ToObject(vm)
	list := make([]goja.Value, arr.Get("length").ToInteger())
	for i := range list {
		list[i] = arr.Get(fmt.Sprint(i))
	}
	p, resolve, _ := vm.NewPromise()
	res, err := fn(recv, list...)
	if err != nil {
		_ = resolve(vm.ToValue(&rpcOutcome{thrown: errorValue(vm, err)}))
		return vm.ToValue(p), nil
	}
	r.then(res, func(v goja.Value) {
		_ = resolve(vm.ToValue(&rpcOutcome{value: v}))
	}, func(reason goja.Value) {
		_ = resolve(vm.ToValue(&rpcOutcome{thrown: reason}))
	})
	return vm.ToValue(p), nil
}

// rpcResult serialises an RPC outcome for the caller (on the loop).
func (r *rt) rpcResult(v goja.Value) (any, error) {
	out, _ := v.Export().(*rpcOutcome)
	if out == nil {
		return nil, fmt.Errorf("core: RPC outcome missing")
	}
	if out.thrown != nil {
		re := &env.RemoteError{Message: valueMessage(out.thrown)}
		if obj, ok := out.thrown.(*goja.Object); ok {
			if n := obj.Get("name"); n != nil {
				re.Name = n.String()
			}
		}
		if b, err := clone.Serialize(r.vm, out.thrown); err == nil {
			re.Value = b
		}
		return nil, re
	}
	b, err := clone.Serialize(r.vm, out.value)
	if err != nil {
		return nil, &env.RemoteError{Name: "DataCloneError", Message: "DataCloneError: the RPC result could not be serialized: " + err.Error()}
	}
	return b, nil
}

// rpcError is what an RPC caller sees for a failed dispatch: the callee's
// exception as it is, anything else (a CPU limit, a missing method) as an
// error with its message.
func rpcError(err error) error {
	if _, ok := err.(*env.RemoteError); ok {
		return err
	}
	if se, ok := err.(*ScriptError); ok {
		msg := strings.TrimPrefix(se.Message, "Uncaught ")
		name := "Error"
		if n, rest, ok := strings.Cut(msg, ": "); ok && strings.HasSuffix(n, "Error") && !strings.Contains(n, " ") {
			name, msg = n, rest
		}
		return &env.RemoteError{Name: name, Message: msg}
	}
	return err
}
