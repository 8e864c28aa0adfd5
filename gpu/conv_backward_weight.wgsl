// conv_backward_weight: partial sums of ∂L/∂w and ∂L/∂b of y = conv(x, w) + b over chunks of images.
//
//   dy [n,cout,oh,ow]   x [n,cin,h,w]
//   part[chunk][i], i < cout·cin·k·k:  Σ_{n in chunk} Σ_oy Σ_ox dy[n,co,oy,ox] · x[n,ci,oy+ky,ox+kx]
//   part[chunk][wc + co]:              Σ_{n in chunk} Σ_oy Σ_ox dy[n,co,oy,ox]
//
// The reduction over n·oh·ow is long (200,704 terms for conv1 at batch 256) and the weights are few,
// so images are split into chunks of `chunk` images; reduce_chunks.wgsl sums the chunks into the
// gradient buffer. Barrier-free, one thread per (chunk, weight or bias).
//
// Bindings: 0 Step, 1 Params, 2 dy, 3 x, 4 part (out).
struct Params {
  cin: u32,
  h: u32,
  w: u32,
  cout: u32,
  k: u32,
  oh: u32,
  ow: u32,
  chunk: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read_write> part: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let kk = prm.k * prm.k;
  let wc = prm.cout * prm.cin * kk;
  let total = wc + prm.cout;
  let chunks = (st.n + prm.chunk - 1u) / prm.chunk;
  let t = flat_id(wid, nwg, lid, 64u);
  if (t >= chunks * total) {
    return;
  }
  let i = t % total;
  let ch = t / total;
  let n0 = ch * prm.chunk;
  let n1 = min(n0 + prm.chunk, st.n);
  let ohw = prm.oh * prm.ow;
  var acc = vec4<f32>(0.0);
  if (i >= wc) {
    let co = i - wc;
    for (var n = n0; n < n1; n++) {
      let d0 = (n * prm.cout + co) * ohw;
      var j = 0u;
      for (; j + 4u <= ohw; j += 4u) {
        acc += vec4<f32>(dy[d0 + j], dy[d0 + j + 1u], dy[d0 + j + 2u], dy[d0 + j + 3u]);
      }
      for (; j < ohw; j++) {
        acc.x += dy[d0 + j];
      }
    }
  } else {
    let kx = i % prm.k;
    let ky = (i / prm.k) % prm.k;
    let ci = (i / kk) % prm.cin;
    let co = i / (kk * prm.cin);
    for (var n = n0; n < n1; n++) {
      let d0 = (n * prm.cout + co) * ohw;
      let x0 = ((n * prm.cin + ci) * prm.h + ky) * prm.w + kx;
      for (var oy = 0u; oy < prm.oh; oy++) {
        let drow = d0 + oy * prm.ow;
        let xrow = x0 + oy * prm.w;
        var ox = 0u;
        for (; ox + 4u <= prm.ow; ox += 4u) {
          acc += vec4<f32>(dy[drow + ox], dy[drow + ox + 1u], dy[drow + ox + 2u], dy[drow + ox + 3u]) *
                 vec4<f32>(x[xrow + ox], x[xrow + ox + 1u], x[xrow + ox + 2u], x[xrow + ox + 3u]);
        }
        for (; ox < prm.ow; ox++) {
          acc.x += dy[drow + ox] * x[xrow + ox];
        }
      }
    }
  }
  part[ch * total + i] = (acc.x + acc.y) + (acc.z + acc.w);
}
