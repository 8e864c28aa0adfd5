//go:build js

// Command ui is the page's wasm (ui.wasm): it renders the vugu pages of package app, keeps the Lab
// form in the URL's query and the calculators' state in the hash, and runs training in the worker
// (static/worker.js, trainer.wasm) through app/bridge. It never trains itself.
package main

import (
	"net/url"
	"strings"
	"syscall/js"

	"github.com/lenetlab/lenetlab/app"
	"github.com/lenetlab/lenetlab/app/bridge"
	"github.com/lenetlab/lenetlab/app/lab"
	"github.com/lenetlab/lenetlab/protocol"
	"github.com/vugu/vugu"
	"github.com/vugu/vugu/domrender"
)

func main() {
	loc := js.Global().Get("location")
	q, _ := url.ParseQuery(strings.TrimPrefix(loc.Get("search").String(), "?"))
	model := lab.NewModel(lab.SettingsFromQuery(q))

	renderer, err := domrender.New("#app")
	if err != nil {
		panic(err)
	}
	env := renderer.EventEnv()
	timing := js.Global().Get("lenetlabTiming") // set by index.html
	firstStep := false

	ctl := lab.NewController(model, "data/")
	ctl.OnSettings = func(v url.Values) { setURL("?"+v.Encode(), loc.Get("hash").String()) }
	root := &app.Root{Lab: ctl}
	root.OnCalcQuery = func(query string) { // called by the calculators with the render lock held
		root.Query = query
		setURL(loc.Get("search").String(), app.Hash(app.RouteCalculators, query))
	}

	wk, err := bridge.Start("worker.js", func(m protocol.Message) {
		if m.Kind == protocol.KindReady && timing.Truthy() {
			timing.Set("workerReady", now())
		}
		if m.Kind == protocol.KindLoading && m.Loading.Done && timing.Truthy() {
			timing.Set("dataReady", now())
		}
		if m.Kind == protocol.KindBatch && !firstStep && timing.Truthy() {
			firstStep = true
			timing.Set("firstStep", now())
		}
		env.Lock()
		ctl.Apply(m)
		env.UnlockRender()
	})
	if err != nil {
		model.Fail(err.Error())
	} else {
		ctl.Send = wk.Send
	}
	root.SetHash(loc.Get("hash").String()) // (after Send is set: the Concepts page may ask for demos)

	onHash := js.FuncOf(func(this js.Value, args []js.Value) any {
		hash := loc.Get("hash").String()
		go func() {
			env.Lock()
			root.SetHash(hash)
			env.UnlockRender()
		}()
		return nil
	})
	js.Global().Call("addEventListener", "hashchange", onHash)

	view := &vizView{}
	buildEnv, err := vugu.NewBuildEnv(env)
	if err != nil {
		panic(err)
	}
	for ok := true; ok; ok = renderer.EventWait() {
		if err := renderer.Render(buildEnv.RunBuild(root)); err != nil {
			panic(err)
		}
		if wk != nil {
			view.afterRender(wk)
		}
		if timing.Truthy() && timing.Get("uiRendered").IsUndefined() {
			timing.Set("uiRendered", now())
			js.Global().Get("document").Get("documentElement").Call("setAttribute", "data-ui-ready", "1")
		}
	}
}

// setURL replaces the current history entry (no new entry per keystroke).
func setURL(search, hash string) {
	if search == "?" {
		search = ""
	}
	path := js.Global().Get("location").Get("pathname").String()
	js.Global().Get("history").Call("replaceState", nil, "", path+search+hash)
}

func now() float64 { return js.Global().Get("performance").Call("now").Float() }

// vizView connects the network view to the worker. The Lab renders an empty
// <div data-testid="viz-host"> while the view is shown; after each render this puts the iframe into
// it (once: vugu leaves children of a childless element alone), waits for the iframe's document,
// then creates a MessageChannel and hands one port to the iframe ({type: "viz-port"}) and the other
// to the worker (a viz-port command). When the iframe is gone, it tells the worker to stop sending
// frames.
type vizView struct {
	frame js.Value // the wired iframe, or undefined
	load  js.Func
}

func (v *vizView) afterRender(wk *bridge.Worker) {
	doc := js.Global().Get("document")
	host := doc.Call("querySelector", `[data-testid="viz-host"]`)
	if host.Truthy() && v.frame.Truthy() && v.frame.Get("parentNode").Equal(host) {
		return
	}
	if v.frame.Truthy() { // the wired iframe went away (hidden, or another page)
		v.frame.Call("removeEventListener", "load", v.load)
		v.frame.Call("remove")
		v.load.Release()
		v.frame = js.Undefined()
		wk.Send(protocol.Message{Kind: protocol.KindVizPort})
	}
	if !host.Truthy() {
		return
	}
	el := doc.Call("createElement", "iframe")
	el.Call("setAttribute", "data-testid", "viz-frame")
	el.Call("setAttribute", "title", "Network view")
	v.frame = el
	v.load = js.FuncOf(func(this js.Value, args []js.Value) any {
		ch := js.Global().Get("MessageChannel").New()
		el.Get("contentWindow").Call("postMessage", map[string]any{"type": protocol.VizPortType}, "*", []any{ch.Get("port2")})
		wk.SendPort(protocol.Message{Kind: protocol.KindVizPort}, ch.Get("port1"))
		return nil
	})
	el.Call("addEventListener", "load", v.load)
	el.Set("src", "viz.html")
	host.Call("appendChild", el)
}
