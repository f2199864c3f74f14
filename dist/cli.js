#!/usr/bin/env node
const r=globalThis.process.getBuiltinModule("node:module");import{m as e}from"./chunks/stack-traces-DICpBJpq.js";e();r.enableCompileCache?.();const{main:o}=await import("./chunks/program-Dh29jgba.js").then(function(r){return r.p});for(const r of[process.stdout,process.stderr]){r.on("error",r=>{if(r.code!=="EPIPE")throw r})}try{process.exitCode=await o(process.argv)}catch(r){process.stderr.write(`reprise: internal error: ${r instanceof Error?r.stack??r.message:String(r)}\n`);process.exitCode=1}
//# sourceMappingURL=cli.js.map
