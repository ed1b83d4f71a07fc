using Coffer.Host;

return await CofferCommands.Build().Parse(args).InvokeAsync();
