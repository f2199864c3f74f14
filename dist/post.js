process.setSourceMapsEnabled(true);const{runnerHost:s}=await(import("./chunks/host-CWvqoAgF.js"));const{runPost:t}=await(import("./chunks/post-uAbX4RqR.js"));const r=s();try{await t(r)}catch(s){r.warning(`reprise post: ${s instanceof Error?s.message:String(s)}`)}process.exit();
//# sourceMappingURL=post.js.map
