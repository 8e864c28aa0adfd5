// Command trainer is the training worker's wasm (trainer.wasm), started by static/worker.js in a
// dedicated Web Worker. It takes protocol commands (start, pause, resume, stop, viz-port, demo) and
// posts events: dataset progress, the engine and why, throttled batch losses, epoch metrics, BN
// snapshots, train-mode vs eval-mode accuracy (mode-gap), the finished run with its learned state,
// and the Concepts demos (demo-data). JavaScript callbacks never block: they queue the command and
// return; one goroutine handles commands, another trains.
//
// While the page's network view is open, the worker holds a MessagePort to the viz iframe and posts
// protocol.VizFrame text on it between batches: at most every vizEvery, within vizShare of the
// training time, one at a time (the view acks each frame it has drawn) and no faster than keeps the
// view's own time per frame under viewShare of the wall time. Each finished run's model goes to it
// as a VizModel (kept, and replayed to a port opened later). It keeps ~20 states of each recent run (runStore) and computes the knock-out and
// covariate-shift demos from them on request, so the page never runs a model.
package main
