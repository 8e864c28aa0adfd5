// The benchmark page (bench.html) and its worker in one file. On the page it starts itself as a
// Web Worker with the page's query; in the worker it runs bench.wasm (wasm/bench), which posts
// {kind: "status"|"result", text}. The result is shown and set as window.__result.
"use strict";
if (typeof window === "undefined") {
  importScripts("wasm_exec.js");
  (async () => {
    const go = new Go();
    try {
      const { instance } = await WebAssembly.instantiateStreaming(fetch("bench.wasm"), go.importObject);
      await go.run(instance);
    } catch (e) {
      self.postMessage({ kind: "result", text: JSON.stringify({ ok: false, error: "the benchmark worker could not start: " + e }) });
    }
  })();
} else {
  const status = document.getElementById("status");
  const table = document.getElementById("result");
  const show = (r) => {
    window.__result = r;
    status.textContent = r.ok ? "done" : "failed: " + (r.error || "unknown error");
    const rows = [
      ["engine", r.engine], ["variant", r.variant], ["adapter", r.adapter],
      ["batch × batches", r.batch + " × " + r.batches],
      ["training images/s", r.train_img_s && r.train_img_s.toFixed(1)],
      ["inference images/s", r.infer_img_s && r.infer_img_s.toFixed(1)],
      ["ms per step", r.ms_per_step && r.ms_per_step.toFixed(2)],
      ["dispatches per step", r.dispatches_per_step],
      ["State readback (ms)", r.state_ms && r.state_ms.toFixed(2)],
      ["engine setup (ms; WebGPU: compiling the kernels, once per page)", r.setup_ms && r.setup_ms.toFixed(0)],
      ["MNIST load (s)", r.load_s && r.load_s.toFixed(2)],
    ];
    table.replaceChildren(...rows.filter(([, v]) => v !== undefined && v !== "" && v !== 0).map(([k, v]) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      const td = document.createElement("td");
      th.textContent = k;
      td.textContent = String(v);
      tr.append(th, td);
      return tr;
    }));
  };
  try {
    const w = new Worker("bench.js" + location.search);
    w.onmessage = (e) => {
      const m = e.data;
      if (m.kind === "status") status.textContent = m.text;
      else if (m.kind === "result") show(JSON.parse(m.text));
    };
    w.onerror = (e) => show({ ok: false, error: "worker error: " + (e.message || e) });
  } catch (e) {
    show({ ok: false, error: "no Web Worker: " + e });
  }
}
