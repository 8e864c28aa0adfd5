// Command trainer is the training worker's wasm (trainer.wasm), started by static/worker.js in a
// dedicated Web Worker. It takes protocol commands (start, pause, resume, stop) and posts events:
// dataset progress, the engine and why, throttled batch losses, epoch metrics, BN snapshots and the
// finished run with its learned state. JavaScript callbacks never block: they queue the command
// and return; one goroutine handles commands, another trains.
package main
