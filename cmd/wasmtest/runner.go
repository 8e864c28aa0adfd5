package main

// pageHTML starts the test binary on the page, or in a dedicated worker that posts its output
// lines back. Each output line is logged to the page's console; the final line carries exitMarker.
const pageHTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>wasmtest</title></head><body>
<script src="/wasm_exec.js"></script>
<script src="/runner.js"></script>
<script>
const argv = ARGV, env = ENV;
if (WORKER) {
  const w = new Worker("/runner.js");
  w.onmessage = (e) => report(e.data.kind, e.data.text);
  w.onerror = (e) => report("error", "worker: " + (e.message || e));
  w.postMessage({argv, env});
} else {
  runTest(argv, env);
}
</script></body></html>
`

// runnerJS runs in the page and in the worker.
const runnerJS = `"use strict";
const inWorker = typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope;
const EXIT = "\u0000wasmtest-exit ", ERR = "\u0000wasmtest-error ";
function report(kind, text) {
  if (kind === "line") console.log(text);
  else if (kind === "exit") console.log(EXIT + text);
  else console.log(ERR + text);
}
function emit(kind, text) {
  if (inWorker) postMessage({kind, text: String(text)});
  else report(kind, String(text));
}
if (inWorker) {
  importScripts("/wasm_exec.js");
  self.onmessage = (e) => runTest(e.data.argv, e.data.env);
  self.addEventListener("unhandledrejection", (e) => emit("error", "unhandled rejection: " + e.reason));
} else {
  self.addEventListener("unhandledrejection", (e) => emit("error", "unhandled rejection: " + e.reason));
}
let outBuf = "";
const dec = new TextDecoder("utf-8");
function flushLines(all) {
  let nl = outBuf.lastIndexOf("\n");
  if (all && outBuf.length > 0 && nl !== outBuf.length - 1) { outBuf += "\n"; nl = outBuf.length - 1; }
  if (nl < 0) return;
  for (const l of outBuf.substring(0, nl).split("\n")) emit("line", l);
  outBuf = outBuf.substring(nl + 1);
}
async function runTest(argv, env) {
  try {
    globalThis.fs.writeSync = function (fd, b) {
      outBuf += dec.decode(b, {stream: true});
      flushLines(false);
      return b.length;
    };
    const go = new Go();
    go.argv = argv;
    go.env = Object.assign({}, go.env, env, {WASMTEST: inWorker ? "worker" : "page"});
    let code = null;
    go.exit = (c) => { code = c; };
    const resp = await fetch("/test.wasm");
    const {instance} = await WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject);
    await go.run(instance);
    flushLines(true);
    emit("exit", code === null ? 0 : code);
  } catch (err) {
    flushLines(true);
    emit("error", (err && err.stack) || String(err));
  }
}
`
