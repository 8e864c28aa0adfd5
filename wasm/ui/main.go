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

	ctl := &lab.Controller{Model: model, DataURL: "data/", OnSettings: func(v url.Values) {
		setURL("?"+v.Encode(), loc.Get("hash").String())
	}}
	root := &app.Root{Lab: ctl}
	root.OnCalcQuery = func(query string) { // called by the calculators with the render lock held
		root.Query = query
		setURL(loc.Get("search").String(), app.Hash(app.RouteCalculators, query))
	}
	root.SetHash(loc.Get("hash").String())

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
		model.Apply(m)
		env.UnlockRender()
	})
	if err != nil {
		model.Fail(err.Error())
	} else {
		ctl.Send = wk.Send
	}

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

	buildEnv, err := vugu.NewBuildEnv(env)
	if err != nil {
		panic(err)
	}
	for ok := true; ok; ok = renderer.EventWait() {
		if err := renderer.Render(buildEnv.RunBuild(root)); err != nil {
			panic(err)
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
