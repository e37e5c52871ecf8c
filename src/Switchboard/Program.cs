var app = Switchboard.SwitchboardApp.Build(args);
app.Run();
