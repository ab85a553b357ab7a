/* The stylesheet of the emulator's screens, served at /static/esia.css. Госуслуги-like, not a copy. */
export const stylesheet = `
*{box-sizing:border-box}
html,body{margin:0;padding:0}
body{font:16px/1.45 "Segoe UI",Lato,Roboto,"Helvetica Neue",Arial,sans-serif;color:#0b1f33;background:#f5f7fa;min-height:100vh}
a{color:#0d4cd3;text-decoration:none}a:hover{text-decoration:underline}
.stand{background:repeating-linear-gradient(135deg,#ffd54f 0 18px,#ffca28 18px 36px);color:#3e2a00;text-align:center;font-size:13px;font-weight:600;padding:6px 12px;letter-spacing:.02em}
.stand b{text-transform:uppercase}
header.top{background:#fff;border-bottom:1px solid #e1e7f0}
header.top .in{max-width:960px;margin:0 auto;padding:14px 20px;display:flex;align-items:center;gap:12px}
.logo{display:flex;align-items:center;gap:10px;font-weight:700;font-size:20px;color:#0b1f33}
.logo i{display:inline-block;width:28px;height:28px;border-radius:7px;background:linear-gradient(135deg,#0d4cd3 0 50%,#ee3f58 50% 100%)}
.logo small{font-weight:400;font-size:13px;color:#66727f;margin-left:4px}
main{max-width:960px;margin:0 auto;padding:40px 20px 60px}
.card{background:#fff;max-width:460px;margin:0 auto;border-radius:16px;box-shadow:0 1px 4px rgba(11,31,51,.08),0 8px 24px rgba(11,31,51,.06);padding:32px 36px}
.card.wide{max-width:820px}
h1{font-size:24px;line-height:1.25;margin:0 0 16px}
h2{font-size:18px;margin:24px 0 8px}
p{margin:0 0 12px}
.muted{color:#66727f;font-size:14px}
label{display:block;font-size:14px;color:#66727f;margin:16px 0 6px}
input[type=text],input[type=password],input[type=tel]{width:100%;font:inherit;padding:11px 14px;border:1px solid #b2c2d6;border-radius:8px;background:#fff;color:#0b1f33}
input:focus{outline:2px solid #0d4cd3;outline-offset:-1px;border-color:#0d4cd3}
.check{display:flex;align-items:center;gap:8px;margin:16px 0 0;color:#0b1f33;font-size:15px}
.check input{width:18px;height:18px;margin:0}
.btn{display:inline-block;font:inherit;font-weight:600;border:0;border-radius:8px;padding:12px 22px;cursor:pointer;text-align:center}
.btn.primary{background:#0d4cd3;color:#fff}.btn.primary:hover{background:#0b3fb0;text-decoration:none}
.btn.secondary{background:#e4ecfd;color:#0d4cd3}.btn.link{background:none;color:#0d4cd3;padding:12px 4px}
.btn[disabled]{opacity:.5;cursor:not-allowed}
.actions{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin-top:24px}
.actions .btn.primary,.actions .btn.wide{flex:1 1 100%}
.recovery-link{margin-top:8px}.other-methods{margin:28px 0 -12px;text-align:center;border-top:1px solid #e1e7f0;padding-top:16px}
.alert{border-radius:10px;padding:14px 16px;margin:0 0 18px;font-size:15px}
.alert.error{background:#fdecee;color:#8a1526;border:1px solid #f7c3cb}
.alert.info{background:#e8f1fe;color:#0b3a8c;border:1px solid #c4dafc}
.alert.ok{background:#e9f7ef;color:#14622f;border:1px solid #bfe6cd}
.alert strong{display:block;margin-bottom:4px}
.alert ul{margin:6px 0 0;padding-left:20px}
.hint{margin-top:8px}
.ref{margin-top:22px;padding-top:14px;border-top:1px dashed #d5dde8;font-size:13px;color:#66727f}
.ref code{font:600 14px/1 ui-monospace,Menlo,Consolas,monospace;color:#0b1f33;background:#f1f4f8;padding:3px 6px;border-radius:4px;letter-spacing:.06em}
.rules{list-style:none;padding:0;margin:8px 0 0;font-size:14px}
.rules li{padding:2px 0 2px 22px;position:relative}
.rules li:before{content:"•";position:absolute;left:6px;color:#66727f}
.rules li.bad{color:#8a1526}.rules li.bad:before{content:"✕";left:3px}
.rules li.ok{color:#14622f}.rules li.ok:before{content:"✓";left:3px}
.rules.scopes{margin-bottom:16px;font-size:15px}
.big-icon{width:56px;height:56px;border-radius:50%;display:flex;align-items:center;justify-content:center;font-size:28px;font-weight:700;margin-bottom:16px}
.big-icon.error{background:#fdecee;color:#d3223a}.big-icon.info{background:#e8f1fe;color:#0d4cd3}
.code-input{letter-spacing:.4em;font-size:22px!important;text-align:center}
.agreement{max-height:220px;overflow:auto;border:1px solid #e1e7f0;border-radius:8px;padding:12px 16px;font-size:14px;background:#fafbfd}
details.dev{margin-top:16px;font-size:13px;color:#66727f}
details.dev pre{white-space:pre-wrap;word-break:break-word;background:#f1f4f8;padding:10px;border-radius:6px;color:#0b1f33}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #e1e7f0;vertical-align:top}
th{color:#66727f;font-weight:600}
/* electronic signature: the signing-plugin stand-in */
.plugin{border:1px dashed #b2c2d6;border-radius:10px;padding:12px 16px;background:#fafbfd}
.plugin-label{font-size:13px;color:#3e2a00;background:#fff3c4;border-radius:6px;padding:6px 8px}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.file-picker{display:flex;align-items:center;gap:12px;flex-wrap:wrap;margin:4px 0 12px}
.field-label{font-size:14px;color:#66727f;margin:16px 0 6px}.file-picker label{margin:0}
.file-picker input:focus-visible+label{outline:3px solid #0d4cd3;outline-offset:2px}
.tls-sign-in{margin-top:16px;font-size:14px}.tls-sign-in li{margin-bottom:4px}.tls-sign-in summary{cursor:pointer;color:#0d4cd3;font-weight:600}
select{width:100%;font:inherit;padding:10px 12px;border:1px solid #b2c2d6;border-radius:8px;background:#fff}
fieldset.factor{border:1px solid #e1e7f0;border-radius:8px;margin:16px 0 0;padding:4px 14px 12px}fieldset.factor legend{font-size:14px;color:#66727f;padding:0 4px}fieldset.factor .check{margin:8px 0 0}
.qr svg{width:200px;height:200px}
.spaced{margin-top:14px}
.inline{display:inline}
/* «Мои услуги»: a tile per system */
.tiles{list-style:none;padding:0;margin:20px 0 0;display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:16px}
.tile{display:flex;flex-direction:column;gap:6px;height:100%;border:1px solid #e1e7f0;border-radius:12px;padding:18px 20px;color:#0b1f33;background:#fafbfd}
.tile:hover{border-color:#0d4cd3;text-decoration:none;box-shadow:0 2px 8px rgba(13,76,211,.12)}
.tile span{font-size:14px;color:#66727f;flex:1}.tile em{font-style:normal;font-weight:600;color:#0d4cd3}
footer{max-width:960px;margin:0 auto;padding:0 20px 40px;color:#8d99a6;font-size:12px;text-align:center}
`;
