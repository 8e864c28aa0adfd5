// reduce_chunks: g[off + i] = Σ_c part[c·total + i] over the ceil(n/chunk)·per slices of this batch
// (per: slices per chunk of images, at least 1).
//
// Finishes a weight gradient (tileConv.weightGrad): the weights and bias of a conv layer are adjacent in the packed
// gradient buffer, so one pass writes both. One thread per value, barrier-free.
//
// Bindings: 0 Step, 1 Params, 2 part, 3 g (out: the packed gradient buffer).
struct Params {
  total: u32,
  off: u32,
  chunk: u32,
  per: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> part: array<f32>;
@group(0) @binding(3) var<storage, read_write> g: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, 64u);
  if (i >= prm.total) {
    return;
  }
  let chunks = (st.n + prm.chunk - 1u) / prm.chunk * max(prm.per, 1u);
  var s: f32 = 0.0;
  for (var c = 0u; c < chunks; c++) {
    s += part[c * prm.total + i];
  }
  g[prm.off + i] = s;
}
