// bn_act: the forward tail of a layer, fused: [BatchNorm] → [dropout] → [ReLU] → [2×2 max-pool].
//
//   z [n,c,h,w] (the conv/linear output; w = h = 1 for a linear layer)
//   BN:      y = z·scale + shift, scale = γ/sqrt(σ²+1e-5), shift = β − μ·scale, with the batch
//            statistics (stats, from bn_stats) in training and the running ones (bufs) in evaluation
//   dropout: training only; keep = hash(seed, step, layer, e) ≥ threshold with e the flat NCHW index
//            in the batch; y·scale or 0; sample 0's keep bits go to mask0
//   ReLU:    max(y, 0)
//   pool:    out [n,c,h/2,w/2] = max of each 2×2 window, first maximum in row-major order on ties;
//            argmax holds its position in the window (0..3) for bn_act_back
// Without pool, out has z's shape. Barrier-free; a thread computes 4 consecutive output values
// (SwiftShader's cost per invocation is high). With pool and an odd
// h or w, the last row or column lies outside every window and its mask0 bits are not written (the
// model pools 28×28 and 10×10 maps only).
//
// Bindings: 0 Step, 1 Params, 2 z, 3 p (parameters: γ at gamma_off, β at beta_off), 4 bufs
// (running mean at moff, variance at voff), 5 stats (batch mean [c], variance [c]), 6 out,
// 7 argmax (out, pool only), 8 mask0 (out, dropout only).
struct Params {
  c: u32,
  h: u32,
  w: u32,
  has_bn: u32,
  gamma_off: u32,
  beta_off: u32,
  moff: u32,
  voff: u32,
  drop: u32,
  threshold: u32,
  scale: f32,
  seed: u32,
  layer: u32,
  relu: u32,
  pool: u32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read> p: array<f32>;
@group(0) @binding(4) var<storage, read> bufs: array<f32>;
@group(0) @binding(5) var<storage, read> stats: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<storage, read_write> argmax: array<u32>;
@group(0) @binding(8) var<storage, read_write> mask0: array<u32>;

// act returns the activation of element e (flat NCHW) of channel ch, before pooling.
fn act(e: u32, ch: u32, scale: f32, shift: f32, key: u32, dropping: bool) -> f32 {
  var v = z[e];
  if (prm.has_bn != 0u) {
    v = v * scale + shift;
  }
  if (dropping) {
    let keep = mix32(key ^ e) >= prm.threshold;
    v = select(0.0, v * prm.scale, keep);
    let per = prm.c * prm.h * prm.w;
    if (e < per) {
      mask0[e] = select(0u, 1u, keep);
    }
  }
  if (prm.relu != 0u) {
    v = max(v, 0.0);
  }
  return v;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = flat_id(wid, nwg, lid, 64u);
  var ow = prm.w;
  var oh = prm.h;
  if (prm.pool != 0u) {
    ow = prm.w / 2u;
    oh = prm.h / 2u;
  }
  let total = st.n * prm.c * oh * ow;
  let dropping = prm.drop != 0u && st.train != 0u;
  let key = drop_key(prm.seed, st.step, prm.layer);
  var lastch = 0xffffffffu;
  var scale: f32 = 1.0;
  var shift: f32 = 0.0;
  for (var i = 4u * t; i < min(4u * t + 4u, total); i++) {
    let ch = (i / (oh * ow)) % prm.c;
    if (prm.has_bn != 0u && ch != lastch) {
      lastch = ch;
      var mean: f32;
      var vr: f32;
      if (st.train != 0u) {
        mean = stats[ch];
        vr = stats[prm.c + ch];
      } else {
        mean = bufs[prm.moff + ch];
        vr = bufs[prm.voff + ch];
      }
      scale = p[prm.gamma_off + ch] / sqrt(vr + 1e-5);
      shift = p[prm.beta_off + ch] - mean * scale;
    }
    if (prm.pool == 0u) {
      out[i] = act(i, ch, scale, shift, key, dropping);
      continue;
    }
    let ox = i % ow;
    let oy = (i / ow) % oh;
    let nc = i / (ow * oh);
    let e0 = (nc * prm.h + 2u * oy) * prm.w + 2u * ox;
    var best = act(e0, ch, scale, shift, key, dropping);
    var arg = 0u;
    let v1 = act(e0 + 1u, ch, scale, shift, key, dropping);
    if (v1 > best) {
      best = v1;
      arg = 1u;
    }
    let v2 = act(e0 + prm.w, ch, scale, shift, key, dropping);
    if (v2 > best) {
      best = v2;
      arg = 2u;
    }
    let v3 = act(e0 + prm.w + 1u, ch, scale, shift, key, dropping);
    if (v3 > best) {
      best = v3;
      arg = 3u;
    }
    out[i] = best;
    argmax[i] = arg;
  }
}
