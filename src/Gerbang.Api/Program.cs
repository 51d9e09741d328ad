using Gerbang.Api;

var app = await GerbangApp.BuildAsync(args);
await app.RunAsync();
