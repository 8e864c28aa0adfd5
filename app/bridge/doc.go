// Package bridge runs the training worker from the page: it starts static/worker.js as a dedicated
// Web Worker, posts protocol commands to it and hands its events, in order, to a Go function that
// runs outside any syscall/js callback (so it may take the page's render lock).
package bridge
