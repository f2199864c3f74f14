process.setSourceMapsEnabled(true);const{runnerHost:s}=await(import("./chunks/host-DzDzDHES.js"));const{runMain:t}=await(import("./chunks/main-ftHyTzch.js"));const a=s();try{await t(a)}catch(s){a.setFailed(s instanceof Error?s.stack??s.message:String(s))}process.exit();
//# sourceMappingURL=index.js.map
