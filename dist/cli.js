#!/usr/bin/env node
process.setSourceMapsEnabled(true);const{main:r}=await import("./chunks/program-YwBVS8sS.js").then(function(r){return r.p});for(const r of[process.stdout,process.stderr]){r.on("error",r=>{if(r.code!=="EPIPE")throw r})}process.exitCode=await r(process.argv);
//# sourceMappingURL=cli.js.map
