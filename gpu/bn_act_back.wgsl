// bn_act_back: the backward pass of bn_act's [dropout] → ReLU → [pool] tail, fused.
//
// Given dout (∂L/∂out) and out from bn_act, writes g = ∂L/∂y for y the BN output (or the
// conv/linear output without BN), shaped [n,c,h,w]:
//   pool: g[e] = dout[q] if e is window q's argmax and out[q] > 0, else 0 (rows/columns past
//         2·(h/2) get 0)
//   no pool: g[e] = dout[e] if out[e] > 0 (relu) or always (no relu)
//   dropout: g·scale (an element with out > 0 was kept, so the mask need not be recomputed; this
//         program requires relu whenever drop is set)
// One thread per element of g, barrier-free.
//
// Bindings: 0 Step, 1 Params, 2 dout, 3 out, 4 argmax, 5 g (out).
struct Params {
  c: u32,
  h: u32,
  w: u32,
  relu: u32,
  pool: u32,
  drop: u32,
  scale: f32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> out: array<f32>;
@group(0) @binding(4) var<storage, read> argmax: array<u32>;
@group(0) @binding(5) var<storage, read_write> g: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = flat_id(wid, nwg, lid, 64u);
  if (e >= st.n * prm.c * prm.h * prm.w) {
    return;
  }
  var v: f32 = 0.0;
  if (prm.pool != 0u) {
    let x = e % prm.w;
    let y = (e / prm.w) % prm.h;
    let nc = e / (prm.w * prm.h);
    let ow = prm.w / 2u;
    let oh = prm.h / 2u;
    if (x < 2u * ow && y < 2u * oh) {
      let q = (nc * oh + y / 2u) * ow + x / 2u;
      if (argmax[q] == (y & 1u) * 2u + (x & 1u) && (prm.relu == 0u || out[q] > 0.0)) {
        v = dout[q];
      }
    }
  } else if (prm.relu == 0u || out[e] > 0.0) {
    v = dout[e];
  }
  if (prm.drop != 0u) {
    v = v * prm.scale;
  }
  g[e] = v;
}
