process.setSourceMapsEnabled(true);const{runnerHost:s}=await(import("./chunks/host-CWvqoAgF.js"));const{runMain:t}=await(import("./chunks/main-D-6Td75h.js"));const a=s();try{await t(a)}catch(s){a.setFailed(s instanceof Error?s.stack??s.message:String(s))}process.exit();
//# sourceMappingURL=index.js.map
