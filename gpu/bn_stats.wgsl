// bn_stats: a BatchNorm layer's batch statistics, and the running-statistics update in training.
//
//   x [n,c,hw] (BN2d: hw = H·W; BN1d: hw = 1)   stats[ch] = mean, stats[c + ch] = biased variance
//   running (in bufs at moff, voff): r = 0.9·r + 0.1·mean, rv = 0.9·rv + 0.1·var·cnt/(cnt−1)
//
// One workgroup of 64 threads per channel: each thread sums a strided share of the channel's
// cnt = n·hw values, then a tree reduction in workgroup memory; two passes (mean, then the sum of
// squared deviations) as the CPU engine does, to keep the variance accurate.
//
// Bindings: 0 Step, 1 Params, 2 x, 3 stats (out), 4 bufs (running statistics, updated).
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

var<workgroup> red: array<f32, 64>;

fn reduce(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid < s) {
      red[lid] += red[lid + s];
    }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let ch = wid.x;
  let cnt = st.n * prm.hw;
  // Maps of at least 64 values: each thread takes a strided share of every image's map (no
  // divisions); smaller ones (BN1d): a strided share of the flat n·hw values.
  let big = prm.hw >= 64u;
  var s: f32 = 0.0;
  if (big) {
    for (var n = 0u; n < st.n; n++) {
      let o = (n * prm.c + ch) * prm.hw;
      for (var j = lid; j < prm.hw; j += 64u) {
        s += x[o + j];
      }
    }
  } else {
    for (var j = lid; j < cnt; j += 64u) {
      s += x[((j / prm.hw) * prm.c + ch) * prm.hw + j % prm.hw];
    }
  }
  let mean = reduce(lid, s) / f32(cnt);
  var q: f32 = 0.0;
  if (big) {
    for (var n = 0u; n < st.n; n++) {
      let o = (n * prm.c + ch) * prm.hw;
      for (var j = lid; j < prm.hw; j += 64u) {
        let d = x[o + j] - mean;
        q += d * d;
      }
    }
  } else {
    for (var j = lid; j < cnt; j += 64u) {
      let d = x[((j / prm.hw) * prm.c + ch) * prm.hw + j % prm.hw] - mean;
      q += d * d;
    }
  }
  let v = reduce(lid, q) / f32(cnt);
  if (lid == 0u) {
    stats[ch] = mean;
    stats[prm.c + ch] = v;
    if (st.train != 0u) {
      let unbias = f32(cnt) / f32(cnt - 1u);
      bufs[prm.moff + ch] = 0.9 * bufs[prm.moff + ch] + 0.1 * mean;
      bufs[prm.voff + ch] = 0.9 * bufs[prm.voff + ch] + 0.1 * v * unbias;
    }
  }
}
