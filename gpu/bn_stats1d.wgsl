// bn_stats1d: bn_stats for BatchNorm1d (a linear layer's outputs, hw = 1): the same statistics and
// running update, one thread per channel looping over the batch (two passes, as the CPU engine).
// With few values per channel, bn_stats's workgroup per channel spends its time in barriers.
//
//   x [n,c]   stats[ch] = mean, stats[c + ch] = biased variance
//   running (in bufs at moff, voff): r = 0.9·r + 0.1·mean, rv = 0.9·rv + 0.1·var·n/(n−1)
//
// Bindings: 0 Step, 1 Params (bn_stats's, hw = 1), 2 x, 3 stats (out), 4 bufs (updated).
struct Params {
  c: u32,
  hw: u32,
  moff: u32,
  voff: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> stats: array<f32>;
@group(0) @binding(4) var<storage, read_write> bufs: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let ch = flat_id(wid, nwg, lid, 64u);
  if (ch >= prm.c) {
    return;
  }
  var s: f32 = 0.0;
  for (var n = 0u; n < st.n; n++) {
    s += x[n * prm.c + ch];
  }
  let mean = s / f32(st.n);
  var q: f32 = 0.0;
  for (var n = 0u; n < st.n; n++) {
    let d = x[n * prm.c + ch] - mean;
    q += d * d;
  }
  let v = q / f32(st.n);
  stats[ch] = mean;
  stats[prm.c + ch] = v;
  if (st.train != 0u) {
    let unbias = f32(st.n) / f32(st.n - 1u);
    bufs[prm.moff + ch] = 0.9 * bufs[prm.moff + ch] + 0.1 * mean;
    bufs[prm.voff + ch] = 0.9 * bufs[prm.voff + ch] + 0.1 * v * unbias;
  }
}
