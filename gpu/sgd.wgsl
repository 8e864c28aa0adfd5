// sgd: PyTorch's SGD step over the whole packed parameter buffer at once:
//   g' = g + wd·w;  momentum > 0: v = m·v + g', w −= lr·v;  else w −= lr·g'
// One thread per parameter, barrier-free.
//
// Bindings: 0 Params, 1 w (in/out), 2 g, 3 v (in/out; unused without momentum).
struct Params {
  count: u32,
  lr: f32,
  momentum: f32,
  wd: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, 64u);
  if (i >= prm.count) {
    return;
  }
  var gv = g[i];
  if (prm.wd != 0.0) {
    gv += prm.wd * w[i];
  }
  if (prm.momentum > 0.0) {
    let nv = prm.momentum * v[i] + gv;
    v[i] = nv;
    w[i] -= prm.lr * nv;
  } else {
    w[i] -= prm.lr * gv;
  }
}
