// gather: builds the input batch x [n,1,32,32] from the training or test set uploaded once as bytes.
//
// A thread computes 4 neighbouring pixels of one output row (SwiftShader's cost per invocation is
// high). Image s of the batch is set image idx[s] (use_idx = 1, training) or
// st.base + s (evaluation). The pixel is docs/CONTRACT.md's preprocessing: bilinear resize with
// half-pixel centres (mode 0; the per-coordinate taps (i0, i1, w0, w1) come from Go's
// mnist.ResizeTap) or a 2-pixel zero pad (mode 1), p = byte·float32(1/255), then optionally
// normalized (v − 0.1307)·float32(1/0.3081). In training with drop = 1 the contract's dropout
// layer 0 (pixels) follows: keep = hash ≥ threshold, v·scale or 0; sample 0's mask goes to mask0.
// The thread of pixel 0 also copies the image's label into ylab.
//
// Bindings: 0 Step, 1 Params, 2 images (bytes packed little-endian in u32), 3 labels (u32 each),
// 4 idx (i32), 5 taps (vec4 per output coordinate), 6 x (out), 7 ylab (out), 8 mask0 (out).
struct Params {
  use_idx: u32,
  mode: u32,
  normalize: u32,
  drop: u32,
  threshold: u32,
  scale: f32,
  seed: u32,
  layer: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> images: array<u32>;
@group(0) @binding(3) var<storage, read> labels: array<u32>;
@group(0) @binding(4) var<storage, read> idx: array<i32>;
@group(0) @binding(5) var<storage, read> taps: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> x: array<f32>;
@group(0) @binding(7) var<storage, read_write> ylab: array<u32>;
@group(0) @binding(8) var<storage, read_write> mask0: array<u32>;

const INV255: f32 = 1.0 / 255.0;
const MEAN: f32 = 0.1307;
const INVSTD: f32 = 1.0 / 0.3081;

fn px(base: u32, r: u32, c: u32) -> f32 {
  let j = base + r * 28u + c;
  return f32((images[j >> 2u] >> ((j & 3u) * 8u)) & 0xffu) * INV255;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = flat_id(wid, nwg, lid, 64u);
  if (t >= st.n * 256u) {
    return;
  }
  let s = t / 256u;
  let oy = (t / 8u) % 32u;
  let ox0 = (t % 8u) * 4u;
  var img: u32;
  if (prm.use_idx != 0u) {
    img = u32(idx[s]);
  } else {
    img = st.base + s;
  }
  let base = img * 784u;
  let ty = taps[oy];
  let y0 = u32(ty.x);
  let y1 = u32(ty.y);
  let key = drop_key(prm.seed, st.step, prm.layer);
  for (var j = 0u; j < 4u; j++) {
    let ox = ox0 + j;
    let pix = oy * 32u + ox;
    let i = s * 1024u + pix;
    var v: f32 = 0.0;
    if (prm.mode == 0u) {
      let tx = taps[ox];
      let x0 = u32(tx.x);
      let x1 = u32(tx.y);
      let r0 = tx.z * px(base, y0, x0) + tx.w * px(base, y0, x1);
      let r1 = tx.z * px(base, y1, x0) + tx.w * px(base, y1, x1);
      v = ty.z * r0 + ty.w * r1;
    } else if (oy >= 2u && oy < 30u && ox >= 2u && ox < 30u) {
      v = px(base, oy - 2u, ox - 2u);
    }
    if (prm.normalize != 0u) {
      v = (v - MEAN) * INVSTD;
    }
    if (prm.drop != 0u && st.train != 0u) {
      let keep = mix32(key ^ i) >= prm.threshold;
      if (keep) {
        v = v * prm.scale;
      } else {
        v = 0.0;
      }
      if (s == 0u) {
        mask0[pix] = select(0u, 1u, keep);
      }
    }
    x[i] = v;
  }
  if (t % 256u == 0u) {
    ylab[s] = labels[img];
  }
}
