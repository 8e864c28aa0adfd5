// conv_backward_weight: partial sums of ∂L/∂w and ∂L/∂b of y = conv(x, w) + b over chunks of images,
// as an implicit GEMM: dW[co, j] = Σ_{n,oy,ox} dy[n,co,oy,ox] · col[n, j, oy, ox], where column
// j = (ci,ky,kx) reads x[n,ci,oy+ky,ox+kx], and one extra column j = cin·k·k reads 1 (the bias).
//
//   dy [n,cout,oh,ow]   x [n,cin,h,w]
//   part[chunk][co·cin·k·k + j]   weight gradients    part[chunk][cout·cin·k·k + co]   bias
//
// The reduction over n·oh·ow is long (200,704 terms for conv1 at batch 256) and the weights are few,
// so images are split into chunks of `chunk` images; reduce_chunks.wgsl sums the chunks into the
// gradient buffer. Register-blocked and barrier-free: a thread computes a 4 (co) × 4 (j) tile with
// 8 loads per 16 multiply-adds. Threads: ceil(n/chunk) · ceil(cout/4) · ceil((cin·k·k+1)/4).
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
  let wcol = prm.cin * kk;
  let wc = prm.cout * wcol;
  let total = wc + prm.cout;
  let nq = (wcol + 1u + 3u) / 4u;
  let mq = (prm.cout + 3u) / 4u;
  let chunks = (st.n + prm.chunk - 1u) / prm.chunk;
  var t = flat_id(wid, nwg, lid, 64u);
  if (t >= chunks * mq * nq) {
    return;
  }
  let j0 = (t % nq) * 4u;
  t = t / nq;
  let co0 = (t % mq) * 4u;
  let ch = t / mq;
  let n0 = ch * prm.chunk;
  let n1 = min(n0 + prm.chunk, st.n);
  let ohw = prm.oh * prm.ow;
  let hw = prm.h * prm.w;
  var xoff: vec4<u32>;
  var one = vec4<f32>(0.0); // 1 in the bias column
  var coc: vec4<u32>;
  for (var q = 0u; q < 4u; q++) {
    let j = min(j0 + q, wcol);
    if (j == wcol) {
      one[q] = 1.0;
      xoff[q] = 0u;
    } else {
      xoff[q] = (j / kk) * hw + ((j / prm.k) % prm.k) * prm.w + j % prm.k;
    }
    coc[q] = min(co0 + q, prm.cout - 1u) * ohw;
  }
  let mask = vec4<f32>(1.0) - one;
  var tot0 = vec4<f32>(0.0);
  var tot1 = vec4<f32>(0.0);
  var tot2 = vec4<f32>(0.0);
  var tot3 = vec4<f32>(0.0);
  for (var n = n0; n < n1; n++) {
    // Per-image sums, then added to the totals: a shorter chain of rounding than one running sum.
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    let db = n * prm.cout * ohw;
    let xb = n * prm.cin * hw;
    for (var oy = 0u; oy < prm.oh; oy++) {
      let dr = db + oy * prm.ow;
      let xr = vec4<u32>(xb + oy * prm.w) + xoff;
      for (var ox = 0u; ox < prm.ow; ox++) {
        let xv = vec4<f32>(x[xr.x + ox], x[xr.y + ox], x[xr.z + ox], x[xr.w + ox]) * mask + one;
        acc0 += dy[dr + coc.x + ox] * xv;
        acc1 += dy[dr + coc.y + ox] * xv;
        acc2 += dy[dr + coc.z + ox] * xv;
        acc3 += dy[dr + coc.w + ox] * xv;
      }
    }
    tot0 += acc0;
    tot1 += acc1;
    tot2 += acc2;
    tot3 += acc3;
  }
  var accs = array<vec4<f32>, 4>(tot0, tot1, tot2, tot3);
  let base = ch * total;
  for (var r = 0u; r < 4u; r++) {
    let co = co0 + r;
    if (co < prm.cout) {
      for (var q = 0u; q < 4u; q++) {
        let j = j0 + q;
        if (j < wcol) {
          part[base + co * wcol + j] = accs[r][q];
        } else if (j == wcol) {
          part[base + wc + co] = accs[r][q];
        }
      }
    }
  }
}
