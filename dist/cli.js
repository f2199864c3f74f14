#!/usr/bin/env node
const r=globalThis.process.getBuiltinModule("node:module");import{m as e}from"./chunks/stack-traces-DICpBJpq.js";e();r.enableCompileCache?.();const{main:o,standardIO:s}=await(import("./chunks/program-OtQxY1ma.js"));const t=s();for(const r of[t.out,t.err]){r.on("error",r=>{if(r.code!=="EPIPE")throw r})}try{process.exitCode=await o(process.argv,t)}catch(r){t.err.write(`reprise: internal error: ${r instanceof Error?r.stack??r.message:String(r)}\n`);process.exitCode=1}await Promise.all([t.out.flushed?.(),t.err.flushed?.()]);process.exit();
//# sourceMappingURL=cli.js.map
