// conv_backward_weight: partial sums of ∂L/∂w and ∂L/∂b of y = conv(x, w) + b over chunks of images.
//
//   dy [n,cout,oh,ow]   x [n,cin,h,w]
//   part[chunk][co·cin·K·K + (ci·K + ky)·K + kx] = Σ_{n in chunk} Σ_oy Σ_ox dy[n,co,oy,ox] · x[n,ci,oy+ky,ox+kx]
//   part[chunk][cout·cin·K·K + co]               = Σ_{n in chunk} Σ_oy Σ_ox dy[n,co,oy,ox]
//
// The reduction over n·oh·ow is long (200,704 terms for conv1 at batch 256) and the weights are few,
// so images are split into chunks of `chunk` images; reduce_chunks.wgsl sums the chunks into the
// gradient buffer. Register-blocked and barrier-free: a thread owns one kernel row (ci, ky) for CB
// output channels, CB·K accumulators. Walking along ox, the K inputs x[.., ox+kx] slide by one, so
// per output position it loads CB values of dy and one of x for CB·K multiply-adds. The threads of
// row (0, 0) also store the bias sums. conv.go expands the template: lines marked //#acc once per
// channel ($), //#kx once per kernel column (#, and @ = # + 1), //#kxs for # < K − 1.
// Threads: ceil(n/chunk) · ceil(cout/CB) · cin · K.
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
  let kk = K * K;
  let wcol = prm.cin * kk;
  let wc = prm.cout * wcol;
  let total = wc + prm.cout;
  let rows = prm.cin * K;
  let mq = (prm.cout + CB - 1u) / CB;
  let chunks = (st.n + prm.chunk - 1u) / prm.chunk;
  var t = flat_id(wid, nwg, lid, 64u);
  if (t >= chunks * mq * rows) {
    return;
  }
  let row = t % rows;
  t = t / rows;
  let co0 = (t % mq) * CB;
  let ch = t / mq;
  let ci = row / K;
  let ky = row % K;
  let n0 = ch * prm.chunk;
  let n1 = min(n0 + prm.chunk, st.n);
  let ohw = prm.oh * prm.ow;
  let hw = prm.h * prm.w;
  //#acc let dco$ = min(co0 + $u, prm.cout - 1u) * ohw;
  //#acc //#kx var a$_# : f32 = 0.0;
  //#acc var b$ : f32 = 0.0;
  //#kx var w# : f32 = 0.0;
  for (var n = n0; n < n1; n++) {
    let db = n * prm.cout * ohw;
    let xb = (n * prm.cin + ci) * hw + ky * prm.w;
    for (var oy = 0u; oy < prm.oh; oy++) {
      let dr = db + oy * prm.ow;
      let xr = xb + oy * prm.w;
      //#kxs w# = x[xr + #u];
      for (var ox = 0u; ox < prm.ow; ox++) {
        wLAST = x[xr + ox + K - 1u];
        //#acc let d$ = dy[dr + dco$ + ox];
        //#acc //#kx a$_# += d$ * w#;
        //#acc b$ += d$;
        //#kxs w# = w@;
      }
    }
  }
  let base = ch * total;
  let wrow = ci * kk + ky * K;
  //#acc if (co0 + $u < prm.cout) {
  //#acc   //#kx part[base + (co0 + $u) * wcol + wrow + #u] = a$_#;
  //#acc   if (row == 0u) {
  //#acc     part[base + wc + co0 + $u] = b$;
  //#acc   }
  //#acc }
}
