#!/usr/bin/env node
const r=globalThis.process.getBuiltinModule("node:module");import{m as o}from"./chunks/stack-traces-DICpBJpq.js";o();r.enableCompileCache?.();const{main:e,standardIO:s}=await(import("./chunks/program-Cd22RuDm.js"));const t=s();for(const r of[t.out,t.err]){r.on("error",r=>{if(r.code!=="EPIPE")throw r})}try{process.exitCode=await e(process.argv,t)}catch(r){t.err.write(`reprise: internal error: ${r instanceof Error?r.stack??r.message:String(r)}\n`);process.exitCode=1}
//# sourceMappingURL=cli.js.map
