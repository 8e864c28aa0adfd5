// bn_stats_parts: a BatchNorm2d layer's batch statistics from the per-tile partial sums the
// convolution before it left (tileconv.go, forward with stats), and the running-statistics update
// in training — bn_stats without a pass over the activations.
//
//   parts[(s·c + ch)·2] = Σ of tile s's `tile` values of channel ch, parts[… + 1] = Σ (v − tile mean)²
//   over the n·spi tiles of the batch (spi tiles per image)
//   stats[ch] = mean, stats[c + ch] = biased variance; running (in bufs at moff, voff):
//   r = 0.9·r + 0.1·mean, rv = 0.9·rv + 0.1·var·cnt/(cnt−1), cnt = n·spi·tile
//
// Exact combination of equal-sized tiles: mean = Σ sums / cnt, then
// M2 = Σ_s (q_s + tile·(m_s − mean)²), m_s = sum_s / tile. One workgroup of 64 threads per
// channel, each a strided share of the tiles, then a tree reduction in workgroup memory.
//
// Bindings: 0 Step, 1 Params, 2 parts, 3 stats (out), 4 bufs (running statistics, updated).
struct Params {
  c: u32,
  spi: u32,
  tile: u32,
  moff: u32,
  voff: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> parts: array<f32>;
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
  let slices = st.n * prm.spi;
  let tile = f32(prm.tile);
  let cnt = slices * prm.tile;
  var s: f32 = 0.0;
  for (var i = lid; i < slices; i += 64u) {
    s += parts[(i * prm.c + ch) * 2u];
  }
  let mean = reduce(lid, s) / f32(cnt);
  var q: f32 = 0.0;
  for (var i = lid; i < slices; i += 64u) {
    let o = (i * prm.c + ch) * 2u;
    let d = parts[o] / tile - mean;
    q += parts[o + 1u] + tile * d * d;
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
